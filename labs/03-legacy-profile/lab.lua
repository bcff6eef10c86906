-- lab.lua -- lab 03: the legacy profile, Popek and Goldberg's classes, and a patched kernel.
--
-- On the legacy profile pushf, popf, smsw and sidt are sensitive but do not
-- trap outside ring 0 (like x86 before VT-x).  The student probes every
-- instruction in ring 1, sorts a seeded list of instructions into the four
-- classes, predicts the equivalence violations the hypervisor reports for
-- the real guest kernel, and then patches the kernel's guest/arch.s so that,
-- still under pure trap-and-emulate on the legacy profile, the guest prints
-- exactly what it prints natively.  Every answer is measured or read from the
-- one ISA table, so the lab follows isa/isa.def (new instructions included).

local RUN_LIMIT = 20000000         -- real instructions for one guest run

-- ---- probing one instruction ------------------------------------------------------------
-- Runs one instruction word (all operand fields zero: r0, control register 0,
-- port 0, offset 0) or one line of assembly in `ring` of a fresh legacy
-- machine; returns the trap cause name, false when it did not trap, or nil and
-- the diagnostics when the line does not assemble.
local function run_one(what, ring)
  local m <close> = traplab.machine{ profile = "legacy", memory = 65536 }
  if math.type(what) == "integer" then
    assert(m:assemble("_start: nop\n", "probe.s"))
    m:write_word(m:pc(), what & 0xffffffff)
  else
    local ok, diag = m:assemble("_start: " .. tostring(what) .. "\n", "probe.s")
    if not ok then return nil, diag end
  end
  m:set_reg("sp", 0x8000)          -- pushf and popf need a stack inside memory
  m:set_ring(ring)
  m:step()
  local t = m:last_trap()
  return t and t.cause or false
end

-- The reference probe: privileged = traps with ILLEGAL_PRIV in ring 1.
local function measured_privileged(mn)
  return run_one(traplab.insn(mn).opcode << 26, 1) == "ILLEGAL_PRIV"
end

local function table_classes(mn)
  local i = traplab.insn(mn, "legacy")
  return { privileged = i.privileged, control = i.control_sensitive,
           behaviour = i.behavior_sensitive, innocuous = not i.sensitive,
           user_unprivileged = i.user_sensitive and not i.privileged }
end

-- Every instruction, once; the probe must agree with the table (else the lab is wrong).
local truth_cache
local function truth()
  if truth_cache then return truth_cache end
  local t = { by = {}, all = traplab.mnemonics() }
  for _, mn in ipairs(t.all) do
    local c = table_classes(mn)
    assert(measured_privileged(mn) == c.privileged,
           "lab 03: the machine and the ISA table disagree about " .. mn)
    t.by[mn] = c
  end
  truth_cache = t
  return t
end

local function select(list, class)
  local out = {}
  for _, mn in ipairs(list) do if truth().by[mn][class] then out[#out + 1] = mn end end
  return out
end

local function count(pred)
  local n = 0
  for _, mn in ipairs(truth().all) do if pred(truth().by[mn]) then n = n + 1 end end
  return n
end

-- ---- the guest --------------------------------------------------------------------------
-- The user program: task 0 writes "ok\n" WRITES times through SYS_WRITE, then every task
-- exits.  Each SYS_WRITE runs the kernel's sys_write, which brackets the console output
-- with IRQ_SAVE and IRQ_RESTORE (guest/arch.s).  `traplab lab show` prints it.
local PROGRAM = [[
        .include "layout.s"
        .org    USER_VA
_start: bnez    a0, 2f                  ; only task 0 writes
        li      s0, WRITES
1:      beqz    s0, 2f
        li      a0, SYS_WRITE
        la      a1, msg
        li      a2, 3
        syscall
        addi    s0, s0, -1
        j       1b
2:      li      a0, SYS_EXIT
        li      a1, 0
        syscall
msg:    .ascii  "ok\n"
]]

local function program_source(_, p)
  return ".equ WRITES, " .. p.writes .. "\n" .. PROGRAM
end

local function files(arch)
  -- (arch.s includes abi.s in its PARAVIRT part: the hypercall numbers)
  return { ["layout.s"] = traplab.guest("layout.s"), ["abi.s"] = traplab.guest("abi.s"),
           ["arch.s"] = arch or traplab.guest("arch.s") }
end

-- Runs the kernel (with this arch.s) and the program in one VM of a Type-1
-- hypervisor on `profile`: { out, state, reason, violations, lost_ie, exits, trace }.
local function run_vm(ctx, p, arch, profile, want_trace)
  local h <close> = traplab.hypervisor{ vms = 1, profile = profile }
  local ok, diag = h:load(0, traplab.guest("kernel.s"), program_source(ctx, p), files(arch))
  if not ok then return nil, "the kernel does not assemble with your arch.s:\n" .. diag end
  local r = { trace = {} }
  if want_trace then
    h:on_exit(function(e)
      if e.kind == "violation" and #r.trace < 100 then
        r.trace[#r.trace + 1] = string.format("violation pc=%06x  %-6s %s", e.pc, e.mnemonic or "-", e.what)
      end
    end)
  end
  r.stop = h:run(RUN_LIMIT)
  r.out = h:console(0)
  r.state, r.reason = h:state(0)
  local s = h:stats(0)
  r.violations, r.lost_ie, r.exits = s.violations, s.lost_ie, s.exits
  return r
end

local native_cache
local function native(ctx, p)
  if not native_cache then
    native_cache = traplab.native{ kernel = traplab.guest("kernel.s"),
                                   program = program_source(ctx, p), files = files() }
  end
  return native_cache
end

local ref_cache
local function reference(ctx, p)
  ref_cache = ref_cache or assert(run_vm(ctx, p, nil, "legacy", false))
  return ref_cache
end

-- ---- the lab ----------------------------------------------------------------------------
local lab = traplab.lab{
  title = "Legacy profile: the four classes and a patched kernel",
  minutes = 120,
  answers = "answers.lua",
  params = function(rng)
    local writes = rng:int(2, 9)      -- first, so that a larger ISA leaves it alone
    -- Your list: the four legacy instructions, three privileged ones and three innocuous
    -- ones, all taken from the ISA table.
    local legacy, priv, inn = {}, {}, {}
    for _, mn in ipairs(traplab.mnemonics()) do
      local s, l = traplab.insn(mn, "strict"), traplab.insn(mn, "legacy")
      if l.sensitive and not l.privileged then legacy[#legacy + 1] = mn
      elseif l.privileged then priv[#priv + 1] = mn
      elseif not s.sensitive and mn ~= "nop" then inn[#inn + 1] = mn end
    end
    local list = {}
    for _, mn in ipairs(legacy) do list[#list + 1] = mn end
    for i, mn in ipairs(rng:shuffle(priv)) do if i <= 3 then list[#list + 1] = mn end end
    for i, mn in ipairs(rng:shuffle(inn)) do if i <= 3 then list[#list + 1] = mn end end
    list = rng:shuffle(list)
    return { list = list, listing = table.concat(list, ", "), writes = writes }
  end,
  -- `traplab lab run 03-legacy-profile`: the kernel with your arch.s (or guest/arch.s) and
  -- the program, in one VM of the trap-and-emulate VMM on the legacy profile: stepping shows
  -- each exit, and where pushf or popf runs without one.
  scenario = function(ctx, p)
    local arch = ctx.submission:read("arch.s")
    local f = files(arch)
    return { guest = traplab.inline(traplab.guest("kernel.s"), f), guest_name = "lab03-kernel.s",
             program = traplab.inline(program_source(ctx, p), f), program_name = "lab03-writes.s",
             vms = 1, host = "type1", design = "full", profile = "legacy" }
  end,
  tasks = {
    "Read the handout (README.en.md or README.es.md) and run `traplab isa --check --profile legacy`.",
    "Write probe.lua: it must tell, for every instruction, whether it traps as privileged in ring 1 on the legacy profile.",
    "Sort your instructions into the four classes: {listing}.",
    "Your guest kernel runs a program that writes \"ok\" {writes} times. Predict the equivalence "
      .. "violations of `traplab vm --profile legacy` for it, then set trace = true to see them.",
    "Patch arch.s (a copy of guest/arch.s) so that the unmodified trap-and-emulate VMM, on the "
      .. "legacy profile, runs the kernel to the native output with no violation.",
    "Answer the questions on Theorems 1 and 3.",
  },
}

local CLASS_HINT = "Probe them (probe.lua), then read the class column of `traplab isa --check --profile legacy`."

lab:question{
  id = "privileged", kind = "set", points = 3,
  text = "Your instructions: {listing}. Which of them trap (ILLEGAL_PRIV) in ring 1 on the legacy profile?",
  answer = function(p) return select(p.list, "privileged") end,
  hints = { "A privileged instruction traps outside ring 0. On the legacy profile four sensitive instructions lost that.",
            CLASS_HINT },
}

lab:question{
  id = "control", kind = "set", points = 3,
  text = "Which of your instructions are control-sensitive (they change the machine's configuration: "
      .. "ring, interrupts, memory map, devices)?",
  answer = function(p) return select(p.list, "control") end,
  hints = { "Ask of each: can it change the ring, the interrupt flag, the page table, the trap vector or a device?",
            "popf writes the status word: in ring 0 that sets the ring and IE. " .. CLASS_HINT },
}

lab:question{
  id = "behaviour", kind = "set", points = 3,
  text = "Which of your instructions are behaviour-sensitive (what they do depends on that configuration)?",
  answer = function(p) return select(p.list, "behaviour") end,
  hints = { "Ask of each: would it give another result, or do something else, in another ring or with another trap table?",
            "An instruction can be in two classes: popf does one thing in ring 0 and another in ring 1. " .. CLASS_HINT },
}

lab:question{
  id = "innocuous", kind = "set", points = 2,
  text = "Which of your instructions are innocuous (neither control- nor behaviour-sensitive)?",
  answer = function(p) return select(p.list, "innocuous") end,
  hints = { "These are the ones a VMM can let run directly on the real CPU. syscall traps, yet it is innocuous: "
         .. "its trap does not depend on the configuration." },
}

lab:question{
  id = "n_sensitive", kind = "number", points = 1,
  text = "How many instructions of the whole ISA are sensitive (control, behaviour or both)?",
  answer = function() return count(function(c) return c.control or c.behaviour end) end,
  hints = { "`traplab isa --check --profile legacy` counts them." },
}

lab:question{
  id = "n_untrapped", kind = "number", points = 2,
  text = "How many sensitive instructions do not trap in ring 1 on the legacy profile?",
  answer = function() return count(function(c) return (c.control or c.behaviour) and not c.privileged end) end,
  hints = { "They are the ones that break Theorem 1's condition." },
}

lab:question{
  id = "violations", kind = "number", points = 3,
  text = "Your program writes \"ok\" {writes} times. How many EQUIVALENCE VIOLATIONS does the "
      .. "hypervisor report when it runs the unmodified guest kernel with it on the legacy profile?",
  answer = function(p) return reference(nil, p).violations end,   -- measured, never typed in
  hints = { "The kernel reads its ring once at boot (READ_STATUS), and sys_write brackets the console "
         .. "output with IRQ_SAVE and IRQ_RESTORE. Which instructions are those in guest/arch.s?",
            "Set trace = true in answers.lua and run `traplab lab check`: every violation is listed. "
         .. "One instruction can appear twice: the first time it touches a page, the hidden page fault "
         .. "that fills the shadow page table makes it run again." },
}

lab:question{
  id = "lost_ie", kind = "number", points = 2,
  text = "How many popfs lose the guest's interrupt-enable change in that run?",
  answer = function(p) return reference(nil, p).lost_ie end,
  hints = { "IRQ_SAVE turns interrupts off with di (which traps and is emulated); IRQ_RESTORE's popf "
         .. "should turn them back on. In ring 1 it cannot." },
}

lab:question{
  id = "theorem1", kind = "choice", points = 3,
  text = "`traplab isa --check --profile legacy` says that Theorem 1's condition does not hold. What follows?",
  choices = { a = "the legacy ISA cannot be virtualized by any technique",
              b = "no trap-and-emulate VMM can be built by Theorem 1's construction; another technique "
                .. "(binary translation, paravirtualization, a patched kernel) may still virtualize it",
              c = "the VMM must run the guest kernel in ring 0" },
  answer = "b",
  hints = { "Theorem 1 gives a sufficient condition, not a necessary one. You are about to virtualize "
         .. "this ISA yourself with a patched kernel." },
}

lab:question{
  id = "theorem3", kind = "set", points = 3,
  text = "Theorem 3: a hybrid VMM interprets every instruction of the guest's virtual supervisor mode "
      .. "(its kernel) in software and runs only its user mode directly; it can be built when every "
      .. "user-sensitive instruction (sensitive when executed in ring 3) is privileged. Which "
      .. "instructions keep the legacy profile from meeting even that condition?",
  answer = function() return select(truth().all, "user_unprivileged") end,
  hints = { "Only instructions that do not trap matter. Of those, which still see or change the real "
         .. "configuration when user code (ring 3) runs them?",
            "popf in ring 3 changes only the user flags, natively too. The others read the real status "
         .. "or trap vector in any ring. `traplab isa --check --profile legacy` ends with Theorem 3." },
}

-- ---- the student's files ------------------------------------------------------------------
local function student_probe(ctx)
  local ok, f = pcall(function() return ctx.submission:lua("probe.lua") end)
  if not ok then return nil, f end
  if type(f) ~= "function" then return nil, "probe.lua must return a function(lab, mnemonic)" end
  return f
end

-- What probe.lua may use: a fresh legacy machine per call, and the instruction's encoding.
local probe_api = {
  run = function(line, ring)
    if type(line) ~= "string" and math.type(line) ~= "integer" then
      error("lab.run: give a line of assembly or an instruction word", 2)
    end
    if math.type(ring) ~= "integer" or ring < 0 or ring > 3 then error("lab.run: ring must be 0..3", 2) end
    return run_one(line, ring)
  end,
  insn = function(mn)
    local i = traplab.insn(tostring(mn))
    return i and { mnemonic = i.mnemonic, opcode = i.opcode, syntax = i.syntax } or nil
  end,
}

lab:check{
  id = "probe", points = 6, title = "probe.lua tells every instruction's trap in ring 1 on the legacy profile",
  hints = { "lab.run(word, 1) runs one instruction word in ring 1 and returns the trap cause, or false. "
         .. "The word of an instruction with every operand zero is lab.insn(mnemonic).opcode << 26.",
            "syscall, brk and hcall trap too, but not for privilege: compare the cause with \"ILLEGAL_PRIV\"." },
  run = function(ctx)
    local f, err = student_probe(ctx)
    if not f then return false, err end
    local wrong = {}
    for _, mn in ipairs(truth().all) do
      local ok, said = pcall(f, probe_api, mn)
      if not ok then return false, "probe.lua failed on " .. mn .. ": " .. tostring(said) end
      if (said == true) ~= truth().by[mn].privileged then wrong[#wrong + 1] = mn end
    end
    if #wrong > 0 then
      return false, #wrong .. " of " .. #truth().all .. " instructions probed wrong, e.g. " .. wrong[1]
    end
    return true
  end,
}

local patched_cache
local function patched(ctx, p)
  if patched_cache then return patched_cache[1], patched_cache[2] end
  local arch, why = ctx.submission:read("arch.s")
  if not arch then
    patched_cache = { nil, "arch.s is missing from the submission (" .. tostring(why) .. ")" }
  else
    local ok, r, err = pcall(run_vm, ctx, p, arch, "legacy", ctx.answers.trace == true)
    if not ok then patched_cache = { nil, r } else patched_cache = { r, err } end
  end
  return patched_cache[1], patched_cache[2]
end

lab:check{
  id = "equal_native", points = 8,
  title = "with your arch.s, the kernel on the legacy profile prints exactly its native output",
  hints = { "Under trap-and-emulate a sensitive instruction must trap. smsw, pushf and popf do not, "
         .. "but mfcr status and mtcr status do, and the VMM emulates them against the virtual CPU.",
            "READ_STATUS: mfcr \\reg, status.  IRQ_SAVE: read the status with mfcr, push it, di.  "
         .. "IRQ_RESTORE: pop it and write it back with mtcr status." },
  run = function(ctx, p)
    local r, err = patched(ctx, p)
    if not r then return false, err end
    if ctx.answers.trace == true then
      print("Equivalence violations of the kernel with your arch.s on the legacy profile:")
      for _, line in ipairs(r.trace) do print(line) end
      print(string.format("%d violations, %d exits, VM %s", r.violations, r.exits, r.state))
    end
    if r.state ~= "halted" then
      return false, "the guest did not halt (" .. r.state .. (r.reason ~= "" and ": " .. r.reason or "") .. ")"
    end
    local want = native(ctx, p).console
    if r.out ~= want then
      local first = r.out:match("^[^\n]*\n?") or ""
      return false, "the output differs from native (it starts: " .. first:gsub("\n", "\\n") .. ")"
    end
    if r.violations > 0 then return false, r.violations .. " equivalence violations remain" end
    return true
  end,
}

lab:check{
  id = "still_native", points = 2, title = "your arch.s still gives the native output on the bare machine",
  hints = { "Natively the kernel runs in ring 0, where mfcr and mtcr status do what smsw, pushf and popf did." },
  run = function(ctx, p)
    local arch = ctx.submission:read("arch.s")
    if not arch then return false, "arch.s is missing" end
    local ok, r = pcall(traplab.native, { kernel = traplab.guest("kernel.s"),
                                          program = program_source(ctx, p), files = files(arch) })
    if not ok then return false, "the kernel does not assemble with your arch.s:\n" .. tostring(r) end
    if r.console ~= native(ctx, p).console then return false, "natively, your kernel prints something else" end
    return true
  end,
}

return lab
