-- lab.lua -- lab 08: many VMs, time slices, and batching.
--
-- Part 1: several VMs share one processor, each for a time slice of the
-- real timer (--slice); students count the switches, see what a shorter
-- slice costs, check that identical VMs get identical treatment, and hand in
-- a configuration of their own that the grader runs, every VM against native.
-- Part 2: `traplab compare --batch N`: exits per batch size, and why the
-- overhead column can rise while the cycles fall (native gets faster too).
-- Every expected number is measured here at grading time, as `traplab vm`
-- and `traplab compare` measure it.

local RUN_LIMIT = 100000000
local TICK = 10000000            -- what `traplab compare` assembles the kernel with
local WORKLOADS = { sys = true, io = true, mm = true }

-- `traplab vm --guest kernel --program P1,P2,... --vms N --slice S`
local function run_vms(programs, slice, defines, mode)
  local h <close> = traplab.hypervisor{ vms = #programs, slice = slice, mode = mode }
  local k = traplab.guest("kernel", defines)
  for i, prog in ipairs(programs) do
    assert(h:load(i - 1, k, traplab.guest(prog, defines)))
  end
  local stop = h:run(RUN_LIMIT)
  local r = { stop = stop, total = h:stats(), vms = {} }
  for i = 1, #programs do
    local st = h:stats(i - 1)
    -- A VM's own cycles, as its "cycles" line in `traplab vm --stats`: guest + vmm + host.
    r.vms[i] = { cycles = st.guest_cycles + st.vmm_cycles + st.host_cycles, exits = st.exits, switches = st.vm_switches, console = h:console(i - 1),
                 state = h:state(i - 1) }
  end
  return r
end

local function native(prog, defines)
  local n = traplab.native{ kernel = traplab.guest("kernel", defines), program = traplab.guest(prog, defines) }
  assert(n.halted, "the native reference run of " .. prog .. " did not halt")
  return n
end

-- As `traplab compare --batch B` builds its io and mm rows.
local function batch_defs(b) return { TICK = TICK, BATCH = b } end

local lab = traplab.lab{
  title = "Many VMs, time slices, and batching",
  minutes = 90,
  answers = "answers.lua",
  params = function(rng)
    local p = { n = rng:int(2, 4), slice = 10000 * rng:int(2, 8), batch = rng:pick{ 2, 4, 8 },
                target = 50 * rng:int(6, 12) }
    p.quarter = p.slice // 4
    local progs = {}
    for i = 1, p.n do progs[i] = "mm" end
    p.programs = table.concat(progs, ",")
    local t = {}
    local a = run_vms(progs, p.slice)
    local b = run_vms(progs, p.quarter)
    assert(a.stop == "halt" and b.stop == "halt", "the reference VMs did not halt")
    local lo, hi = math.huge, 0
    for _, v in ipairs(a.vms) do lo, hi = math.min(lo, v.cycles), math.max(hi, v.cycles) end
    t.switches, t.switches_quarter = a.total.vm_switches, b.total.vm_switches
    t.extra_cycles = b.total.cycles - a.total.cycles
    t.fairness = hi / lo
    local exits = {}
    for _, w in ipairs{ "io", "mm" } do
      for _, mode in ipairs{ "full", "para" } do
        exits[w .. "_" .. mode] = run_vms({ w }, nil, batch_defs(p.batch), mode).total.exits
      end
    end
    t.exits = exits
    local n1, nb = native("mm", batch_defs(1)).cycles, native("mm", batch_defs(p.batch)).cycles
    local f1 = run_vms({ "mm" }, nil, batch_defs(1), "full").total.cycles
    local fb = run_vms({ "mm" }, nil, batch_defs(p.batch), "full").total.cycles
    t.mm_native_b, t.mm_full_b = nb, fb
    t.overhead_1, t.overhead_b = (f1 / n1 - 1) * 100, (fb / nb - 1) * 100
    p.truth = t
    return p
  end,
  -- `traplab lab run 08`: your VMs side by side in the terminal UI (v switches between them).
  scenario = function(_, p)
    return { guest = traplab.guest("kernel"), guest_name = "kernel.s", program = traplab.guest("mm"),
             program_name = "mm.s", vms = p.n, host = "type1" }
  end,
  tasks = {
    "Part 1: traplab vm --guest kernel --program {programs} --vms {n} --slice {slice} --stats; then "
      .. "--slice {quarter}.",
    "Hand in vms.lua: at least 4 VMs running all of sys, io and mm, with a slice that makes at "
      .. "least {target} VM switches, every VM printing what it prints natively.",
    "Part 2: traplab compare --workloads io,mm --host type1 --batch {batch}, and --batch 1.",
    "Answer the questions in answers.lua.",
  },
}

-- ---- part 1: slices ------------------------------------------------------------------------
lab:question{
  id = "switches", kind = "number", points = 3, tolerance = 0,
  text = "{n} VMs run mm with --slice {slice}. How many VM switches does the run take in all?",
  answer = function(p) return p.truth.switches end,
  hints = { "traplab vm --guest kernel --program {programs} --vms {n} --slice {slice} --stats: the "
            .. "'vm switches' line of the total." },
}

lab:question{
  id = "switches_quarter", kind = "number", points = 3, tolerance = 0,
  text = "The same with --slice {quarter} (a quarter of the slice): how many VM switches?",
  answer = function(p) return p.truth.switches_quarter end,
  hints = { "Run it: about four times as many, but not exactly (when only one VM is left, it keeps the CPU)." },
}

lab:question{
  id = "extra_cycles", kind = "number", points = 2, rel_tolerance = 0.001,
  text = "How many more cycles does the whole run take with --slice {quarter} than with --slice {slice}?",
  answer = function(p) return p.truth.extra_cycles end,
  hints = { "The difference of the total cycles lines. Compare it with the extra switches times "
            .. "vm_switch (traplab vm --list-costs)." },
}

lab:question{
  id = "fairness", kind = "number", points = 2, rel_tolerance = 0.005,
  text = "With --slice {slice}: the largest cycles of one VM divided by the smallest (identical VMs: "
      .. "how evenly does the scheduler treat them?)",
  answer = function(p) return p.truth.fairness end,
  hints = { "Each VM's own cycles line in --stats (VM 0, VM 1, ...): largest / smallest." },
}

-- ---- the student's VMs ---------------------------------------------------------------------
local function read_vms(ctx)
  local ok, s = pcall(function() return ctx.submission:lua("vms.lua") end)
  if not ok then return nil, s end
  if type(s) ~= "table" then return nil, "vms.lua must return a table" end
  local progs = s.programs
  if type(progs) ~= "table" then return nil, "vms.lua: programs must be a list such as { \"sys\", \"io\" }" end
  local list = {}
  for i = 1, traplab.MAX_VMS + 1 do
    local w = rawget(progs, i)
    if w == nil then break end
    if i > traplab.MAX_VMS then return nil, "vms.lua: at most " .. traplab.MAX_VMS .. " VMs" end
    if not WORKLOADS[w] then return nil, "vms.lua: programs may be sys, io or mm, not " .. tostring(w) end
    list[i] = w
  end
  local slice = s.slice
  if math.type(slice) ~= "integer" or slice < 1000 or slice > 100000000 then
    return nil, "vms.lua: slice must be a whole number of cycles, 1000..100000000"
  end
  return list, slice
end

lab:check{
  id = "my_vms", points = 4,
  title = "vms.lua: 4 or more VMs running sys, io and mm, at least {target} switches, every VM equal to native",
  hints = { "programs = { \"sys\", \"io\", \"mm\", \"mm\" } and a slice: try it with traplab vm --guest "
            .. "kernel --program sys,io,mm,mm --vms 4 --slice N --stats.",
            "A shorter slice means more switches." },
  run = function(ctx, p)
    local progs, slice = read_vms(ctx)
    if not progs then return false, slice end
    if #progs < 4 then return false, "only " .. #progs .. " VMs: at least 4" end
    local kinds = {}
    for _, w in ipairs(progs) do kinds[w] = true end
    for w in pairs(WORKLOADS) do
      if not kinds[w] then return false, "no VM runs " .. w end
    end
    local r = run_vms(progs, slice)
    if r.stop ~= "halt" then return false, "not every VM halted (run stopped: " .. r.stop .. ")" end
    if r.total.vm_switches < p.target then
      return false, r.total.vm_switches .. " VM switches, fewer than " .. p.target
    end
    local want = {}
    for i, w in ipairs(progs) do
      want[w] = want[w] or native(w).console
      if r.vms[i].console ~= want[w] then return false, "VM " .. (i - 1) .. " (" .. w .. ") differs from native" end
    end
    return true
  end,
}

-- ---- part 2: batching ------------------------------------------------------------------------
for _, w in ipairs{ "io", "mm" } do
  for _, mode in ipairs{ "full", "para" } do
    lab:question{
      id = w .. "_" .. mode, kind = "number", points = 2, tolerance = 0,
      text = "traplab compare --batch {batch}, Type-1: how many exits does " .. w .. " take under "
          .. (mode == "full" and "full virtualization" or "paravirtualization") .. "?",
      answer = function(p) return p.truth.exits[w .. "_" .. mode] end,
      hints = { "traplab compare --workloads io,mm --host type1 --batch {batch}: the exits column." },
    }
  end
end

lab:question{
  id = "mm_native", kind = "number", points = 2, tolerance = 0,
  text = "With --batch {batch}, how many cycles does mm take natively?",
  answer = function(p) return p.truth.mm_native_b end,
  hints = { "The native row of mm in the same table. Compare it with --batch 1." },
}

lab:question{
  id = "mm_overhead", kind = "number", points = 3, tolerance = 0.1,
  text = "With --batch {batch}, the overhead of mm, full virtualization, Type-1, in percent (e.g. 1225.7)?",
  answer = function(p) return p.truth.overhead_b end,
  hints = { "The overhead column of that row, without the + and %." },
}

lab:question{
  id = "why_rises", kind = "choice", points = 3,
  text = "From --batch 1 to --batch {batch}, mm under full virtualization takes fewer cycles, yet its "
      .. "overhead column rises. Why?",
  choices = {
    a = "batching makes each exit dearer",
    b = "the overhead is measured against native, and native gets faster with batching too (fewer "
        .. "system calls), proportionally more than the virtualized run",
    c = "the overhead column counts exits, not cycles",
  },
  answer = "b",
  hints = { "Look at the native row at both batch sizes: the overhead is cycles / native - 1." },
}

return lab
