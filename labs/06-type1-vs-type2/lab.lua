-- lab.lua -- lab 06: Type 1 against Type 2.
--
-- Each student gets their own cost model (seeded --cost values).  They price
-- one exit of each kind on each host from `traplab vm --trace`, compare that
-- per-exit factor with the factor on whole workloads, and vary the host's
-- background share.  Every expected answer is measured here, at grading
-- time, by running the shipped guests (traplab.guest) under traplab's own
-- hypervisor with the student's costs: if the hypervisor's Type-2 model
-- changes, the answers follow it.

local CPU_ITERS = 200000     -- the cpu workload, made short: -D ITERS=200000
local RUN_LIMIT = 100000000

local KINDS = {              -- the kinds of exit priced, as the handout names them
  { key = "mtcr", what = "an emulated mtcr (the kernel's first: mtcr tvb)" },
  { key = "out", what = "a console out" },
  { key = "syscall", what = "a reflected system call (cause SYSCALL)" },
  { key = "fault", what = "a hidden page fault (cause PAGE_FAULT, handled by the shadow)" },
}

local function kind_of(e)
  if e.cause == "SYSCALL" then return "syscall" end
  if e.cause == "PAGE_FAULT" and e.handler == "shadow" then return "fault" end
  if e.mnemonic == "mtcr" or e.mnemonic == "out" then return e.mnemonic end
  return nil
end

-- One run of `traplab vm --guest kernel --program PROGRAM [-D ...] --host HOST --cost ...`:
-- total cycles and the price of the first exit of each kind.
local function run(costs, host, program, defines, extra, want_prices)
  local c = {}
  for k, v in pairs(costs) do c[k] = v end
  for k, v in pairs(extra or {}) do c[k] = v end
  local h <close> = traplab.hypervisor{ vms = 1, hosting = host, costs = c }
  assert(h:load(0, traplab.guest("kernel", defines), traplab.guest(program, defines)))
  local first, seen = {}, 0
  if want_prices then
    -- Only until one exit of each kind has been seen: the prices, not the totals.
    h:on_exit(function(e, hv)
      if e.kind ~= "exit" then return end
      local k = kind_of(e)
      if k and not first[k] then
        first[k], seen = e.cycles, seen + 1
        if seen == #KINDS then hv:stop() end
      end
    end)
  end
  local stop = h:run(RUN_LIMIT)
  if want_prices then
    assert(seen == #KINDS, "the reference run did not show every kind of exit")
    return { first = first }
  end
  assert(stop == "halt", "the reference run did not halt: " .. tostring(stop))
  return { cycles = h:stats().cycles }
end

local COSTS = { "trap_entry", "exit_dispatch", "vm_entry", "emul_cr", "emul_io", "reflect",
                "shadow_fill", "host_world_switch", "host_ctx_switch", "host_syscall" }

local lab = traplab.lab{
  title = "Type 1 against Type 2: what an exit costs on each host",
  minutes = 75,
  answers = "answers.lua",
  params = function(rng)
    local costs = {
      trap_entry = 10 * rng:int(70, 130), exit_dispatch = 10 * rng:int(10, 40),
      vm_entry = 10 * rng:int(30, 70), emul_cr = 10 * rng:int(3, 12),
      emul_io = 10 * rng:int(8, 25), reflect = 10 * rng:int(15, 45),
      shadow_fill = 10 * rng:int(20, 60),
      host_world_switch = 10 * rng:int(80, 250), host_ctx_switch = 10 * rng:int(60, 180),
      host_syscall = 10 * rng:int(50, 160),
      host_bg_share = 0,
    }
    local flags = {}
    for _, k in ipairs(COSTS) do flags[#flags + 1] = "--cost " .. k .. "=" .. costs[k] end
    flags[#flags + 1] = "--cost host_bg_share=0"
    local p = { costs = costs, flags = table.concat(flags, " "), bg = rng:int(3, 12),
                iters = CPU_ITERS }
    -- Measured once per student (before the questions are graded, each in its own process).
    local t = {}
    -- Type-2 is measured as type2-user: every exit goes to the VMM's user process.
    for _, host in ipairs{ "type1", "type2-user" } do
      local key = host == "type1" and "type1" or "type2"
      t[key] = run(costs, host, "sys")
      t[key].first = run(costs, host, "sys", nil, nil, true).first
      t[key .. "_cpu"] = run(costs, host, "cpu", { ITERS = CPU_ITERS })
    end
    t.bg = run(costs, "type2-user", "cpu", { ITERS = CPU_ITERS }, { host_bg_share = p.bg })
    -- The default --host type2 routes exits by kind: CPU and MMU exits stay in a monitor inside
    -- the host kernel, device I/O goes to the user-mode VMM.
    t.routed = { first = run(costs, "type2", "sys", nil, nil, true).first }
    p.truth = t
    return p
  end,
  -- `traplab lab run 06`: sys in one VM of the Type-2 hypervisor (default costs): every exit
  -- goes through the host's steps, one by one.
  scenario = function()
    return { guest = traplab.guest("kernel"), guest_name = "kernel.s", program = traplab.guest("sys"),
             program_name = "sys.s", vms = 1, host = "type2-user" }
  end,
  tasks = {
    "Your costs (use them in every command of this lab): {flags}",
    "Price one exit of each kind on each host: traplab vm --guest kernel --program sys --trace "
      .. "--host type1|type2-user {flags}",
    "Measure whole workloads on both hosts with --stats: sys, and cpu with -D ITERS={iters}.",
    "Run cpu (-D ITERS={iters}) on Type-2 again with --cost host_bg_share={bg} and compare.",
    "Answer the questions in answers.lua.",
  },
}

for _, host in ipairs{ "type1", "type2-user" } do
  for _, k in ipairs(KINDS) do
    lab:question{
      id = (host == "type1" and "t1_" or "t2_") .. k.key, kind = "number", points = 2,
      text = "With your costs, how many cycles does " .. k.what .. " cost on a "
          .. (host == "type1" and "Type-1" or "Type-2") .. " host? (the first one in the trace of sys)",
      answer = function(p) return p.truth[host == "type1" and "type1" or "type2"].first[k.key] end,
      tolerance = 0,
      hints = { "traplab vm --guest kernel --program sys --trace --host " .. host .. " {flags}: the "
                .. "number before 'cyc' on the exit line is the whole exit, steps included.",
                "Type-2 exit lines include the host steps printed just above them (world switch, "
                .. "process switch); do not add them again." },
    }
  end
end

for _, k in ipairs{ KINDS[1], KINDS[2] } do
  lab:question{
    id = "routed_" .. k.key, kind = "number", points = 2, tolerance = 0,
    text = "The default --host type2 routes exits by kind. With your costs, what does " .. k.what
        .. " cost there? (the first one in the trace of sys)",
    answer = function(p) return p.truth.routed.first[k.key] end,
    hints = { "traplab vm --guest kernel --program sys --trace --host type2 {flags}: the end of each exit "
              .. "line says where it was handled (kernel-resident monitor or user-mode VMM process)." },
  }
end

lab:question{
  id = "worst_kind", kind = "text", points = 2,
  text = "Which kind of exit pays the most extra cycles on Type-2 compared with Type-1? "
      .. "Answer mtcr, out, syscall or fault.",
  answer = function(p)
    local best, worst
    for _, k in ipairs(KINDS) do
      local d = p.truth.type2.first[k.key] - p.truth.type1.first[k.key]
      if not best or d > best then best, worst = d, k.key end
    end
    return worst
  end,
  hints = { "Subtract your Type-1 price from your Type-2 price, kind by kind: what extra step does "
            .. "one kind take in the host?" },
}

lab:question{
  id = "ratio_sys", kind = "number", points = 3, rel_tolerance = 0.01,
  text = "Whole workload sys: total cycles on Type-2 divided by total cycles on Type-1 (--stats).",
  answer = function(p) return p.truth.type2.cycles / p.truth.type1.cycles end,
  hints = { "traplab vm --guest kernel --program sys --stats --host type2-user {flags}, the cycles line; "
            .. "the same with --host type1; divide." },
}

lab:question{
  id = "ratio_cpu", kind = "number", points = 3, rel_tolerance = 0.01,
  text = "Whole workload cpu (-D ITERS={iters}): total cycles on Type-2 divided by total cycles on Type-1.",
  answer = function(p) return p.truth.type2_cpu.cycles / p.truth.type1_cpu.cycles end,
  hints = { "traplab vm --guest kernel --program cpu -D ITERS={iters} --stats --host type2-user {flags}" },
}

lab:question{
  id = "why_shrinks", kind = "choice", points = 2,
  text = "One exit costs several times more on Type-2, yet a whole workload slows down by less "
      .. "(much less for cpu). Why?",
  choices = {
    a = "the Type-2 host runs guest instructions faster, which compensates",
    b = "only exits pay the host's extra layers; the guest's own instructions run directly on the "
        .. "processor and cost the same on both hosts",
    c = "Type-2 takes fewer exits than Type-1",
  },
  answer = "b",
  hints = { "Compare the exits column of both hosts: are there fewer? Then look at the guest cycles "
            .. "in --stats: do they change?" },
}

lab:question{
  id = "bg_growth", kind = "number", points = 4, tolerance = 0.2,
  text = "Run cpu (-D ITERS={iters}) on Type-2 with host_bg_share=0 (your flags) and again with "
      .. "--cost host_bg_share={bg}. By what percentage do the total cycles grow? (e.g. 5.2 for +5.2%)",
  answer = function(p) return (p.truth.bg.cycles / p.truth.type2_cpu.cycles - 1) * 100 end,
  hints = { "Put --cost host_bg_share={bg} after your flags: the last value given wins.",
            "If the host keeps {bg}% of all cycles, the guest gets the rest: expect about "
            .. "{bg} / (100 - {bg}) of the time again, measured with --stats." },
}

return lab
