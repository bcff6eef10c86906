-- lab.lua -- lab 07: a cost model of virtualization.
--
-- With their own seeded costs, students predict the total cycles of a
-- workload under full virtualization from its exits (native + the sum of
-- what each exit costs), compare with what the hypervisor measures and say
-- why the two differ; then they choose host costs with which a
-- paravirtualized guest on a Type-2 host beats full virtualization on
-- Type-1 (and costs with which it does not), and find the break-even price
-- of the host's world switch.  Every expected number is measured here at
-- grading time with traplab's own hypervisor and the shipped guests.

local RUN_LIMIT = 100000000
local HOST_COSTS = { host_world_switch = true, host_ctx_switch = true, host_syscall = true,
                     host_bg_share = true }
local COSTS = { "trap_entry", "exit_dispatch", "vm_entry", "emul_cr", "emul_io", "reflect",
                "shadow_fill", "shadow_sync", "host_world_switch", "host_ctx_switch", "host_syscall",
                "host_bg_share" }

local function merged(base, over)
  local c = {}
  for k, v in pairs(base) do c[k] = v end
  for k, v in pairs(over or {}) do c[k] = v end
  return c
end

-- `traplab vm --guest kernel --program W [--para] --host H --cost ...`: total cycles, and with
-- sum_exits the sum of the cycles every exit was charged (what --trace prints per exit).
local function run(costs, program, host, mode, sum_exits)
  local h <close> = traplab.hypervisor{ vms = 1, hosting = host, mode = mode, costs = costs }
  assert(h:load(0, traplab.guest("kernel"), traplab.guest(program)))
  local sum = 0
  if sum_exits then
    h:on_exit(function(e) if e.kind == "exit" then sum = sum + e.cycles end end)
  end
  local stop = h:run(RUN_LIMIT)
  if stop ~= "halt" then error("the reference run of " .. program .. " did not halt: " .. tostring(stop), 0) end
  local st = h:stats()
  return { cycles = st.cycles, exits = st.exits, exit_cycles = sum }
end

-- Does paravirtualization on Type-2 take fewer cycles than full virtualization on Type-1?
local function para2_beats_full1(costs, program)
  return run(costs, program, "type2-user", "para").cycles < run(costs, program, "type1", "full").cycles
end

local lab = traplab.lab{
  title = "A cost model: exits times their price",
  minutes = 90,
  answers = "answers.lua",
  params = function(rng)
    local costs = {
      trap_entry = 10 * rng:int(60, 140), exit_dispatch = 10 * rng:int(10, 40),
      vm_entry = 10 * rng:int(20, 70), emul_cr = 10 * rng:int(3, 12),
      emul_io = 10 * rng:int(8, 25), reflect = 10 * rng:int(15, 45),
      shadow_fill = 10 * rng:int(20, 60), shadow_sync = 10 * rng:int(30, 90),
      host_world_switch = 10 * rng:int(80, 250), host_ctx_switch = 10 * rng:int(20, 80),
      host_syscall = 10 * rng:int(50, 150), host_bg_share = 0,
    }
    local flags = {}
    for _, k in ipairs(COSTS) do flags[#flags + 1] = "--cost " .. k .. "=" .. costs[k] end
    local p = { costs = costs, flags = table.concat(flags, " "), workload = rng:pick{ "sys", "io", "mm" } }
    local native = traplab.native{ kernel = traplab.guest("kernel"), program = traplab.guest(p.workload),
                                   costs = costs }
    assert(native.halted, "the native reference run did not halt")
    local full = run(costs, p.workload, "type1", "full", true)
    p.truth = { native = native.cycles, exit_cycles = full.exit_cycles, measured = full.cycles,
                predicted = native.cycles + full.exit_cycles }
    return p
  end,
  -- `traplab lab run 07`: your workload, fully virtualized on Type-1, in the terminal UI.
  scenario = function(_, p)
    return { guest = traplab.guest("kernel"), guest_name = "kernel.s", program = traplab.guest(p.workload),
             program_name = p.workload .. ".s", vms = 1, host = "type1" }
  end,
  tasks = {
    "Your costs (add them to every command): {flags}",
    "Your workload: {workload}. Run traplab vm --guest kernel --program {workload} --stats {flags} "
      .. "for the native cycles and the measured cycles, and with --trace for the cycles of every exit.",
    "Predict: native + the sum of the exits' cycles; compare with the measured cycles and say why they differ.",
    "In settings.lua, choose host costs with which paravirtualization on Type-2 beats full "
      .. "virtualization on Type-1 for mm, others with which it loses for sys, and the break-even "
      .. "host_world_switch for mm.",
  },
}

lab:question{
  id = "native", kind = "number", points = 3, tolerance = 0,
  text = "With your costs, how many cycles does {workload} take natively (no hypervisor)?",
  answer = function(p) return p.truth.native end,
  hints = { "traplab vm --guest kernel --program {workload} --stats {flags}: the overhead line says "
            .. "'against N cycles native'." },
}

lab:question{
  id = "exit_cycles", kind = "number", points = 4, rel_tolerance = 0.001,
  text = "Fully virtualized on Type-1, what do all the exits of {workload} cost together (the sum "
      .. "of the cycles of every exit line of --trace)?",
  answer = function(p) return p.truth.exit_cycles end,
  hints = { "Count each kind of exit (--stats) and multiply by its price (one exit line of --trace), "
            .. "or add up the column: traplab vm ... --trace 2>&1 | awk '$2 == \"exit\" { for (i = 1; i < NF; i++) "
            .. "if ($(i+1) == \"cyc\") { s += $i; break } } END { print s }'",
            "Only lines whose second word is exit: the step and switch lines are not exits." },
}

lab:question{
  id = "predicted", kind = "number", points = 3, rel_tolerance = 0.001,
  text = "The model: total = native + the exits' cycles. What does it predict for {workload}?",
  answer = function(p) return p.truth.predicted end,
  hints = { "Add your two previous answers." },
}

lab:question{
  id = "measured", kind = "number", points = 3, tolerance = 0,
  text = "What does the hypervisor measure for {workload} (the cycles line of --stats)?",
  answer = function(p) return p.truth.measured end,
  hints = { "The first cycles line of --stats, fully virtualized on Type-1 with your flags." },
}

lab:question{
  id = "why_gap", kind = "choice", points = 3,
  text = "Your prediction and the measurement differ. Which explanation fits your numbers?",
  choices = {
    a = "the model overestimates: the native run already paid for its own traps (system calls and "
        .. "their returns), and under the hypervisor those become exits, so the model counts them twice",
    b = "the model underestimates: the hypervisor also spends cycles that are not exits (starting "
        .. "the VM, injecting timer interrupts), and the guest runs slower in ring 1",
  },
  answer = function(p) return p.truth.predicted > p.truth.measured and "a" or "b" end,
  hints = { "Is your prediction above or below the measurement? Then: how many SYSCALL traps does "
            .. "the native run take, at what price each?" },
}

-- ---- settings.lua: the student's host costs --------------------------------------------------
local function settings(ctx, key)
  local ok, s = pcall(function() return ctx.submission:lua("settings.lua") end)
  if not ok then return nil, s end
  if type(s) ~= "table" then return nil, "settings.lua must return a table" end
  local v = s[key]
  if v == nil then return nil, "settings.lua has no " .. key end
  return v
end

local function host_costs(ctx, p, key)
  local t, err = settings(ctx, key)
  if t == nil then return nil, err end
  if type(t) ~= "table" then return nil, key .. " must be a table of host costs" end
  local over = {}
  for k, v in pairs(t) do
    if not HOST_COSTS[k] then
      return nil, key .. ": only the host's costs may change (host_world_switch, host_ctx_switch, "
          .. "host_syscall, host_bg_share), not " .. tostring(k)
    end
    if math.type(v) ~= "integer" or v < 0 or v > 1000000 or (k == "host_bg_share" and v > 90) then
      return nil, key .. ": " .. k .. " must be a whole number of cycles (0..1000000; a share 0..90)"
    end
    over[k] = v
  end
  return merged(p.costs, over)
end

lab:check{
  id = "para_wins", points = 5,
  title = "settings.lua para_type2_wins: paravirtualized on Type-2 beats full virtualization on Type-1 for mm",
  hints = { "traplab vm --guest kernel --program mm --para --host type2-user {flags} --cost host_world_switch=N "
            .. "--stats against traplab vm --guest kernel --program mm --host type1 {flags} --stats.",
            "Each exit on Type-2 pays two world switches and two process switches: the paravirtualized "
            .. "guest takes far fewer exits, so a cheaper toll per exit is enough." },
  run = function(ctx, p)
    local c, err = host_costs(ctx, p, "para_type2_wins")
    if not c then return false, err end
    local para, full = run(c, "mm", "type2-user", "para").cycles, run(c, "mm", "type1", "full").cycles
    if para < full then return true end
    return false, string.format("para on Type-2 takes %d cycles, full on Type-1 %d", para, full)
  end,
}

lab:check{
  id = "full_wins", points = 5,
  title = "settings.lua full_type1_wins: full virtualization on Type-1 beats paravirtualized on Type-2 for sys",
  hints = { "With your costs, sys paravirtualized on Type-2 wins. How expensive must the host's toll be "
            .. "before its ~4,000 exits cost more than full virtualization's ~28,000 on Type-1?" },
  run = function(ctx, p)
    local c, err = host_costs(ctx, p, "full_type1_wins")
    if not c then return false, err end
    local para, full = run(c, "sys", "type2-user", "para").cycles, run(c, "sys", "type1", "full").cycles
    if full < para then return true end
    return false, string.format("full on Type-1 takes %d cycles, para on Type-2 %d", full, para)
  end,
}

lab:check{
  id = "break_even", points = 4,
  title = "settings.lua break_even: the largest host_world_switch (within 10%) at which para on Type-2 still beats full on Type-1 for mm",
  hints = { "Keep your other costs; try values of --cost host_world_switch=N for mm, halving the "
            .. "interval each time (bisection).",
            "At your answer para on Type-2 must still win; at 10% more (plus 10 cycles) it must lose." },
  run = function(ctx, p)
    local x, err = settings(ctx, "break_even")
    if x == nil then return false, err end
    if math.type(x) ~= "integer" or x < 0 or x > 1000000 then
      return false, "break_even must be a whole number of cycles"
    end
    if not para2_beats_full1(merged(p.costs, { host_world_switch = x }), "mm") then
      return false, "at host_world_switch=" .. x .. " para on Type-2 already loses"
    end
    local above = x + x // 10 + 10
    if para2_beats_full1(merged(p.costs, { host_world_switch = above }), "mm") then
      return false, "at host_world_switch=" .. above .. " para on Type-2 still wins: the break-even is higher"
    end
    return true
  end,
}

-- ---- software against hardware assist (only when traplab has --design hw) --------------------
-- Adams and Agesen (ASPLOS 2006): VMware's software VMM beat the first hardware-assisted one on
-- some workloads and lost on others; what decides is again how many exits each design takes and
-- what each costs.  The software side is binary translation when traplab has it (--design bt),
-- else trap-and-emulate (full).  These items exist only when the designs do.
local designs = traplab.designs or {}
if designs.hw then
  local SW = designs.bt and "bt" or "full"
  local SW_TEXT = SW == "bt" and "binary translation (--design bt)" or "trap-and-emulate (--design full)"

  local function race(costs, workload)
    return run(costs, workload, "type1", SW).cycles, run(costs, workload, "type1", "hw").cycles
  end

  local function race_settings(ctx, p, key)
    local t, err = settings(ctx, key)
    if t == nil then return nil, err end
    if type(t) ~= "table" or not ({ sys = true, io = true, mm = true })[t.workload] then
      return nil, key .. " must be { workload = \"sys\" | \"io\" | \"mm\", costs = { ... } }"
    end
    local over = {}
    for k, v in pairs(t.costs or {}) do
      if type(k) ~= "string" or math.type(v) ~= "integer" or v < 0 or v > 1000000 then
        return nil, key .. ": costs must be whole numbers of cycles (0..1000000)"
      end
      over[k] = v
    end
    return merged(p.costs, over), t.workload
  end

  lab:question{
    id = "sw_or_hw_io", kind = "choice", points = 3,
    text = "With your costs, on Type-1, which takes fewer cycles for io: " .. SW_TEXT
        .. " or hardware assist (--design hw)?",
    choices = { a = SW_TEXT, b = "hardware assist (--design hw)" },
    answer = function(p)
      local sw, hw = race(p.costs, "io")
      return sw < hw and "a" or "b"
    end,
    hints = { "traplab vm --guest kernel --program io --design " .. SW .. " --stats {flags}, then --design hw.",
              "Count the exits of each: hardware assist takes an exit for every out and in, and a "
              .. "hardware exit and entry (vm_exit, vm_enter) are not cheap." },
  }

  lab:check{
    id = "software_wins", points = 3,
    title = "settings.lua software_wins: a workload and costs with which " .. SW_TEXT .. " beats hardware assist",
    hints = { "Adams and Agesen: the software VMM won where exits were frequent and a hardware exit "
              .. "was dear. Which of your workloads exits most per instruction under --design hw?" },
    run = function(ctx, p)
      local c, w = race_settings(ctx, p, "software_wins")
      if not c then return false, w end
      local sw, hw = race(c, w)
      if sw < hw then return true end
      return false, string.format("%s: %s takes %d cycles, hw %d", w, SW, sw, hw)
    end,
  }

  lab:check{
    id = "hw_wins", points = 3,
    title = "settings.lua hw_wins: a workload and costs with which hardware assist beats " .. SW_TEXT,
    hints = { "Under hardware assist the guest's system calls and page-table writes need no exit." },
    run = function(ctx, p)
      local c, w = race_settings(ctx, p, "hw_wins")
      if not c then return false, w end
      local sw, hw = race(c, w)
      if hw < sw then return true end
      return false, string.format("%s: hw takes %d cycles, %s %d", w, hw, SW, sw)
    end,
  }
end

return lab
