-- lab.lua -- lab 01: user versus privileged instructions.
--
-- Each student gets their own seven-instruction program (seeded), predicts
-- which instructions trap in ring 3 and in ring 0, answers a few questions,
-- and fixes a user program so that it runs in ring 3 through system calls.
-- The right answers are not typed in here: they are measured by running each
-- instruction on a fresh machine, so the lab follows the ISA table.

local ALWAYS = { "syscall", "brk", "hcall" }                 -- trap in every ring
local PRIV = { "mfcr a0, status", "mtcr scratch, a0", "out a0, 0x10", "in a0, 0x11",
               "ei", "di", "tlbflush", "halt", "smsw a0", "sidt a0" }
local USER = { "add a0, a1, a2", "sub a0, a0, a1", "mul a0, a0, a0", "lw a0, 0(zero)",
               "sw a0, 4(zero)", "slli a0, a0, 2", "lui a0, 0x12", "xor a0, a0, a1" }
local WORDS = { "ring3", "user", "guest", "trap", "vmm", "kernel", "popek", "goldberg" }

local function mnemonic(line) return (line:match("^(%a+)")) end

-- Does this one instruction trap when executed in `ring`?  Ask the machine.
local function traps(line, ring)
  local m = traplab.machine{ memory = 65536 }
  assert(m:assemble("_start: " .. line .. "\n", "probe.s"))
  m:set_ring(ring)
  m:step()
  local t = m:last_trap()
  m:close()
  return t ~= nil
end

local function truth(p, ring)
  local out = {}
  for _, line in ipairs(p.program) do
    if traps(line, ring) then out[#out + 1] = mnemonic(line) end
  end
  return out
end

local lab = traplab.lab{
  title = "Rings: user and privileged instructions",
  minutes = 60,
  answers = "answers.lua",
  params = function(rng)
    local prog = { rng:pick(ALWAYS) }
    for _, l in ipairs(rng:shuffle(PRIV)) do if #prog < 4 then prog[#prog + 1] = l end end
    for _, l in ipairs(rng:shuffle(USER)) do if #prog < 7 then prog[#prog + 1] = l end end
    prog = rng:shuffle(prog)
    local listing = {}
    for i, l in ipairs(prog) do listing[i] = string.format("    %d  %s", i, l) end
    return { program = prog, listing = table.concat(listing, "\n"),
             adds = rng:int(20, 90), calls = rng:int(2, 9),
             word = rng:pick(WORDS) }
  end,
  -- `traplab lab run 01-rings`: the kernel and your user.s (or the starter's) in the terminal UI.
  scenario = function(ctx)
    local user = ctx.submission:read("user.s") or assert(ctx.lab:read("starter/user.s"))
    return assert(ctx.lab:read("guest/kernel.s")) .. "\n" .. user, "lab01-kernel-user.s"
  end,
  tasks = {
    "Read the handout (README.en.md or README.es.md) and the course notes on instruction types.",
    "Predict which instructions of your program (below) trap in ring 3 and in ring 0; answer in answers.lua.",
    "Answer the other questions in answers.lua.",
    "Fix user.s so that it runs in ring 3 and prints exactly: hi {word}",
  },
}

lab:question{
  id = "ring3_traps", kind = "set", points = 5,
  text = "Your program runs in ring 3 (user mode):\n{listing}\nWhich instructions trap? "
      .. "List their mnemonics in ring3_traps.",
  answer = function(p) return truth(p, 3) end,
  hints = {
    "Privileged instructions trap with ILLEGAL_PRIV outside ring 0; see `traplab isa` or docs/isa.md.",
    "Some instructions trap on purpose, in every ring: they are how a program calls the kernel, the debugger or the hypervisor.",
    "Exactly the privileged ones and the deliberate traps (syscall, brk, hcall) trap in ring 3.",
  },
}

lab:question{
  id = "ring0_traps", kind = "set", points = 3,
  text = "The same program runs in ring 0 (kernel mode). Which instructions trap now? "
      .. "List them in ring0_traps (an empty list {} if none).",
  answer = function(p) return truth(p, 0) end,
  hints = {
    "In ring 0 no instruction traps for lack of privilege.",
    "A system call traps even when the kernel itself executes it: that is what it is for.",
  },
}

lab:question{
  id = "cause", kind = "choice", points = 2,
  text = "With which cause does `halt` trap in ring 3?",
  choices = { a = "SYSCALL", b = "ILLEGAL_PRIV", c = "PAGE_FAULT", d = "it does not trap" },
  answer = "b",
  hints = { "Run samples/ring3-trap.s with `traplab run --trace` and read the cause it prints." },
}

lab:question{
  id = "legacy", kind = "choice", points = 3,
  text = "In the legacy profile `smsw` runs in ring 3 without trapping, yet it reveals the ring. "
      .. "Can a classic trap-and-emulate hypervisor run an unmodified kernel on that profile?",
  choices = { a = "yes: every sensitive instruction still traps",
              b = "no: a sensitive instruction that does not trap cannot be emulated" },
  answer = "b",
  hints = { "Popek and Goldberg: the sensitive instructions must be a subset of the privileged ones. "
         .. "Try `traplab isa --check --profile legacy`." },
}

lab:question{
  id = "cycles", kind = "number", points = 3, tolerance = 0,
  text = "A user program executes {adds} add instructions (1 cycle each) and {calls} syscalls. "
      .. "Each syscall costs 1 cycle plus the trap entry (1000 cycles) plus the kernel's handler, "
      .. "which here takes 30 cycles including iret. How many cycles in all?",
  answer = function(p) return p.adds + p.calls * (1 + 1000 + 30) end,
  hints = { "Count the adds, then the cost of one syscall, then multiply.",
            "cycles = adds + calls * (1 + 1000 + 30)" },
}

lab:question{
  id = "kernel_ring", kind = "text", points = 2,
  text = "In which ring does the kernel run (a number)?",
  answer = { "0", "ring 0", "anillo 0" },
  hints = { "Ring 0 is the most privileged; user code runs in ring 3." },
}

-- ---- the fixed program ----------------------------------------------------------------
local function run_user(ctx)
  local src, why = ctx.submission:read("user.s")
  if not src then
    local _, refused = ctx.submission:exists("user.s")
    if refused then return nil, "user.s was refused: " .. refused end
    return nil, "user.s is missing from the submission (" .. why .. ")"
  end
  local kernel = assert(ctx.lab:read("guest/kernel.s"))
  local m = traplab.machine{ memory = 65536 }
  -- One source, as if kernel.s included user.s, but errors name user.s and its own lines.
  local ok, diag = m:assemble{ { "kernel.s", kernel }, { "user.s", src } }
  if not ok then return nil, "user.s does not assemble:\n" .. diag end
  local stop = m:run(200000)
  return { m = m, stop = stop, stats = m:stats(), out = m:console() }
end

local cache
local function result(ctx)
  cache = cache or { run_user(ctx) }
  return cache[1], cache[2]
end

lab:check{
  id = "assembles", points = 2, title = "user.s assembles together with the kernel",
  hints = { "Run `traplab asm` on a copy of guest/kernel.s followed by your user.s to see the errors." },
  run = function(ctx)
    local r, err = result(ctx)
    if not r then return false, err end
    return true
  end,
}

lab:check{
  id = "ring3", points = 5, title = "user.s runs in ring 3 without privileged instructions",
  hints = {
    "Every `out` and the `halt` trap in ring 3: replace them with system calls.",
    "print: li a0, 1 / li a1, 'x' / syscall      exit: li a0, 0 / syscall",
  },
  run = function(ctx)
    local r, err = result(ctx)
    if not r then return false, err end
    local priv = r.stats.traps.ILLEGAL_PRIV
    if priv > 0 then return false, priv .. " privileged instruction(s) trapped in ring 3" end
    if r.stop ~= "halt" then return false, "the program did not exit (stopped: " .. r.stop .. ")" end
    if r.stats.traps.SYSCALL == 0 then return false, "no system call was made" end
    return true
  end,
}

lab:check{
  id = "output", points = 5, title = "it prints its message through the kernel",
  hints = { "Your message is in `traplab lab show 01-rings`: 'hi ' and your word, then a newline.",
            "One syscall per character, newline included ('\\n')." },
  run = function(ctx, p)
    local r, err = result(ctx)
    if not r then return false, err end
    local want = "hi " .. p.word .. "\n"
    if r.out == want then return true end
    local function show(s) return '"' .. s:gsub("\n", "\\n") .. '"' end
    return false, "printed " .. show(r.out) .. ", expected " .. show(want)
  end,
}

return lab
