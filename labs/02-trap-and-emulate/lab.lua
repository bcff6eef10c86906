-- lab.lua -- lab 02: trap and emulate.
--
-- traplab's Type-1 hypervisor owns ring 0, runs the guest kernel deprivileged
-- in ring 1, and emulates every privileged instruction the guest executes
-- (each one a VM exit) against the guest's *virtual* control registers.  The
-- student writes the emulation of one instruction, mfcr, which the lab hands
-- to the hypervisor (h:emulate); the checks run the guest with it and compare
-- the checksum the guest prints and the number of exits.

local CAUSE_LIMIT = 2000          -- exits before the lab gives up on a guest
local RUN_LIMIT = 200000          -- guest instructions

local function guest_source(ctx, p)
  local kernel = assert(ctx.lab:read("guest/kernel.s"))
  return ".equ N, " .. #p.data .. "\n" .. kernel .. "\n        .word " .. table.concat(p.data, ", ") .. "\n"
end

local function checksum(data)
  local s = 0
  for _, w in ipairs(data) do s = (s * 31 + w) & 0xffffffff end
  return string.format("%08x\n", s)
end

-- Runs the guest in VM 0 of a Type-1 traplab hypervisor, with `emulate_mfcr`
-- as the emulation of mfcr.  Returns { out, exits, first, stop, state, trace, cycles }.
local function run_vm(src, emulate_mfcr, want_trace)
  local h = traplab.hypervisor{ vms = 1, hosting = "type1" }
  local ok, diag = h:load(0, src)
  assert(ok, diag)
  local r = { exits = 0, trace = {} }
  -- What the student's emulation may touch: the guest's registers, PC and
  -- virtual control registers, nothing of the hypervisor itself.  A bad
  -- argument is blamed on the student's line (error level 2), not on this file.
  local function value(name, v)
    if math.type(v) ~= "integer" then
      error(string.format("vm:%s: the value must be an integer, not %s", name,
                          type(v) == "number" and tostring(v) or "a " .. type(v)), 3)
    end
  end
  local function call(name, f, ...)
    local ok, res = pcall(f, ...)
    if not ok then error("vm:" .. name .. ": " .. tostring(res):gsub("^[^\n]-:%d+: ", ""), 3) end
    return res
  end
  local vm = {
    reg = function(_, n) return call("reg", h.reg, h, 0, n) end,
    set_reg = function(_, n, v) value("set_reg", v); call("set_reg", h.set_reg, h, 0, n, v) end,
    pc = function() return h:pc(0) end,
    set_pc = function(_, v) value("set_pc", v); call("set_pc", h.set_pc, h, 0, v) end,
    vcr = function(_, n) return call("vcr", h.vcr, h, 0, n) end,
    set_vcr = function(_, n, v) value("set_vcr", v); call("set_vcr", h.set_vcr, h, 0, n, v) end,
  }
  h:emulate("mfcr", function(_, _, insn)
    emulate_mfcr(vm, { mnemonic = insn.mnemonic, rd = insn.rd, rs1 = insn.rs1, pc = insn.pc,
                       text = insn.text })
    return "jump"                                 -- the emulation moved the PC (or did not)
  end)
  h:on_exit(function(e)
    if e.kind ~= "exit" then return end
    r.exits = r.exits + 1
    r.first = r.first or e.mnemonic
    if want_trace and #r.trace < 200 then
      r.trace[#r.trace + 1] = string.format("exit %4d  pc=%06x  %-8s %-12s %s", r.exits, e.pc,
                                            e.mnemonic or "-", e.cause, e.what)
    end
    if r.exits > CAUSE_LIMIT then
      r.fault = "more than " .. CAUSE_LIMIT .. " exits: does the emulation advance the PC?"
      h:stop()
    end
  end)
  r.stop = h:run(RUN_LIMIT)
  r.out = h:console(0)
  r.state, r.reason = h:state(0)
  r.halted = r.state == "halted"
  r.cycles = h:stats().cycles
  h:close()
  return r
end

-- The instructor's mfcr: the guest sees its virtual control register.
local function reference_mfcr(vm, insn)
  vm:set_reg(insn.rd, vm:vcr(insn.rs1))
  vm:set_pc(insn.pc + 4)
end

local lab = traplab.lab{
  title = "Trap and emulate under a Type-1 hypervisor",
  minutes = 90,
  answers = "answers.lua",
  params = function(rng)
    local data = {}
    for i = 1, rng:int(5, 12) do data[i] = rng:int(1, 999) end
    return { data = data, n = #data }
  end,
  -- `traplab lab run 02-trap-and-emulate`: your guest kernel, with your words, in one VM of
  -- the Type-1 hypervisor in the terminal UI: step through its VM exits one by one.
  -- The hypervisor wants a workload too; this kernel never starts one, so it is an idle loop.
  scenario = function(ctx, p)
    return { guest = guest_source(ctx, p), guest_name = "lab02-guest-kernel.s",
             program = "        .org 0x00400000\n_start: b _start\n", program_name = "lab02-idle.s",
             vms = 1, host = "type1" }
  end,
  tasks = {
    "Read the handout (README.en.md or README.es.md): how the hypervisor runs the guest kernel in ring 1.",
    "Read guest/kernel.s; your guest folds {n} words. Predict its VM exits, then set trace = true in "
      .. "answers.lua and run `traplab lab check` to step through them.",
    "Write the emulation of mfcr in emulate.lua.",
    "Answer the questions in answers.lua.",
  },
}

local ref_cache
local function reference(ctx, p)
  ref_cache = ref_cache or run_vm(guest_source(ctx, p), reference_mfcr, false)
  return ref_cache
end

lab:question{
  id = "exits", kind = "number", points = 4,
  text = "Your guest kernel folds {n} words. How many VM exits does it cause from its first "
      .. "instruction to its halt (the halt included)?",
  answer = function(p) return 2 * p.n + 15 end,
  hints = { "Count the privileged instructions the kernel executes: some run once, some once per word, some once per character printed.",
            "Set trace = true in answers.lua and run `traplab lab check`: every exit is listed, "
         .. "including one that no instruction of the kernel asked for." },
}

lab:question{
  id = "first_exit", kind = "text", points = 2,
  text = "Which instruction (mnemonic) is the first one the hypervisor has to emulate?",
  answer = { "mfcr" },
  hints = { "It is the kernel's very first instruction." },
}

lab:question{
  id = "why_ring1", kind = "choice", points = 3,
  text = "Why does the hypervisor run the guest kernel in ring 1 rather than in ring 0?",
  choices = { a = "ring 1 is faster", b = "so that the kernel's privileged instructions trap to the hypervisor",
              c = "ring 0 is reserved for user programs" },
  answer = "b",
  hints = { "Trap and emulate needs the traps: what happens to mtcr in ring 0?" },
}

lab:question{
  id = "vstatus", kind = "choice", points = 3,
  text = "The guest executes `mfcr a0, status`. What must the emulation put in a0?",
  choices = { a = "the real status, which says ring 1", b = "the guest's virtual status, which says ring 0",
              c = "zero, always" },
  answer = "b",
  hints = { "What does the kernel do right after reading status? Look at _start in guest/kernel.s." },
}

-- ---- the student's emulation -----------------------------------------------------------
-- Loading emulate.lua and running the guest with it are separate steps: `loads` grades only
-- the first, so an emulation that loads but then fails or loops loses the other checks only.
local loaded
local function load_emulation(ctx)
  if not loaded then
    local ok, f = pcall(function() return ctx.submission:lua("emulate.lua") end)
    if not ok then loaded = { nil, f }
    elseif type(f) ~= "function" then loaded = { nil, "emulate.lua must return a function(vm, insn)" }
    else loaded = { f } end
  end
  return loaded[1], loaded[2]
end

local function student_run(ctx, p)
  local f, err = load_emulation(ctx)
  if not f then return nil, err end
  local trace = ctx.answers.trace == true
  local ok2, r = pcall(run_vm, guest_source(ctx, p), f, trace)
  if not ok2 then return nil, r end
  if trace then
    print("VM exits of your guest under your emulation:")
    for _, line in ipairs(r.trace) do print(line) end
    print(string.format("%d exits, %d cycles, stopped: %s", r.exits, r.cycles, r.stop))
  end
  return r
end

local cache
local function result(ctx, p)
  cache = cache or { student_run(ctx, p) }
  return cache[1], cache[2]
end

lab:check{
  id = "loads", points = 2, title = "emulate.lua returns a function",
  hints = { "emulate.lua ends with: return function(vm, insn) ... end" },
  run = function(ctx)
    local f, err = load_emulation(ctx)
    if not f then return false, err end
    return true
  end,
}

lab:check{
  id = "boots", points = 6, title = "the guest kernel believes it runs in ring 0",
  hints = { "mfcr reads a control register into insn.rd; the register number is insn.rs1.",
            "Give the guest its virtual register (vm:vcr), not the real one, and move the PC past the instruction." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    if r.out:find("panic", 1, true) then return false, "the guest panicked: it saw a ring other than 0" end
    if r.fault then return false, r.fault end
    if r.state == "failed" then return false, "the VM failed: " .. r.reason end
    if r.exits < 4 then return false, "the guest stopped after " .. r.exits .. " exits" end
    return true
  end,
}

lab:check{
  id = "checksum", points = 10, title = "the guest runs to the right checksum",
  hints = { "The sum lives in the virtual scratch register: mtcr writes it, your mfcr must read it back.",
            "Compare with trace = true: after each mfcr the guest should see what the previous mtcr wrote." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    if r.fault then return false, r.fault end
    if not r.halted then
      if r.state == "failed" then return false, "the guest never reached its halt: the VM failed (" .. r.reason .. ")" end
      return false, "the guest never reached its halt: it was still running after " .. RUN_LIMIT
          .. " instructions (run stopped: " .. r.stop .. ")"
    end
    local want = checksum(p.data)
    local ref = reference(ctx, p)
    assert(ref.out == want, "the reference hypervisor disagrees with the checksum")
    if r.out ~= want then
      return false, "the guest printed " .. r.out:gsub("\n", "\\n") .. ", not the right checksum"
    end
    if r.exits ~= ref.exits then return false, r.exits .. " exits, expected " .. ref.exits end
    return true
  end,
}

return lab
