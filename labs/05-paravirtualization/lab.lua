-- lab.lua -- lab 05: paravirtualization.
--
-- The student writes the paravirtualized bodies (the `.ifdef PARAVIRT` parts)
-- of four macros of the guest kernel's arch.s: PUTC and CONSOLE_WRITE (one
-- console_write hypercall per buffer instead of an exit per byte) and
-- IRQ_SAVE / IRQ_RESTORE (the virtual interrupt flag as a word in the page
-- shared with the hypervisor, instead of pushf/di/popf).  The checks run the
-- unmodified kernel with that arch.s assembled with PARAVIRT under the
-- hypervisor on the legacy profile: the output must equal native, with no
-- equivalence violation and at most the student's seeded number of exits.

local RUN_LIMIT = 20000000
local SLACK = 2                    -- exits allowed above the reference kernel's

-- The user program: task 0 writes its message WRITES times with SYS_WRITE.
local PROGRAM = [[
        .include "layout.s"
        .org    USER_VA
_start: bnez    a0, 2f                  ; only task 0 writes
        li      s0, WRITES
1:      beqz    s0, 2f
        li      a0, SYS_WRITE
        la      a1, msg
        li      a2, msg_end - msg
        syscall
        addi    s0, s0, -1
        j       1b
2:      li      a0, SYS_EXIT
        li      a1, 0
        syscall
msg:    .ascii  MESSAGE
msg_end:
]]

local function program(p)
  return string.format(".equ WRITES, %d\n", p.writes)
      .. PROGRAM:gsub("MESSAGE", function() return '"' .. p.message .. '\\n"' end)
end

local function files(arch)
  -- arch.s includes abi.s (the hypercall numbers, generated from the VMM's tables)
  return { ["layout.s"] = traplab.guest("layout.s"), ["abi.s"] = traplab.guest("abi.s"),
           ["arch.s"] = arch or traplab.guest("arch.s") }
end

-- One VM of a Type-1 hypervisor; mode "para" or "full", on `profile`.
local function run_vm(p, arch, mode, profile)
  local h <close> = traplab.hypervisor{ vms = 1, mode = mode, profile = profile }
  local ok, diag = h:load(0, traplab.guest("kernel.s"), program(p), files(arch))
  if not ok then return nil, "the kernel does not assemble with your arch.s"
                                .. (mode == "para" and " and PARAVIRT" or "") .. ":\n" .. diag end
  local r = { stop = h:run(RUN_LIMIT) }
  r.out = h:console(0)
  r.state, r.reason = h:state(0)
  local s = h:stats(0)
  r.exits, r.violations, r.hypercalls = s.exits, s.violations, s.hypercalls
  r.by_cause = s.exits_by_cause
  return r
end

local function native(p)
  return traplab.native{ kernel = traplab.guest("kernel.s"), program = program(p), files = files() }.console
end

-- One self-contained source for the terminal UI (`traplab lab run`): the .include lines
-- replaced by the files themselves.
local function inlined(src, arch) return traplab.inline(src, files(arch)) end

local WORDS = { "hypercall", "xen", "shared page", "paravirt", "guest", "console buffer", "batch" }

local lab = traplab.lab{
  title = "Paravirtualization: hypercalls and a shared interrupt flag",
  minutes = 90,
  answers = "answers.lua",
  params = function(rng)
    local words = {}
    for i = 1, rng:int(2, 4) do words[i] = rng:pick(WORDS) end
    local p = { writes = rng:int(3, 12), message = table.concat(words, " ") }
    p.len = #p.message + 1
    -- Your threshold: the reference paravirtualized kernel's exits for your program, plus SLACK.
    local ref = assert(run_vm(p, nil, "para", "legacy"))
    p.threshold = ref.exits + SLACK
    return p
  end,
  -- `traplab lab run 05-paravirtualization`: your arch.s (or the starter's) in the kernel,
  -- paravirtualized on the legacy profile (as it is graded), with your program, in one VM:
  -- each step shows the next exit or hypercall.
  scenario = function(ctx, p)
    local arch = ctx.submission:read("arch.s") or assert(ctx.lab:read("starter/arch.s"))
    return { guest = inlined(traplab.guest("kernel.s"), arch), guest_name = "lab05-kernel.s",
             program = inlined(program(p)), program_name = "lab05-writes.s",
             vms = 1, host = "type1", design = "para", profile = "legacy" }
  end,
  tasks = {
    "Read the handout (README.en.md or README.es.md), guest/arch.s and docs/hypercalls.md.",
    "Your program writes \"{message}\" and a newline ({len} bytes) {writes} times. Run it fully "
      .. "virtualized and count the exits (answers.lua).",
    "In arch.s, write the PARAVIRT bodies of PUTC, CONSOLE_WRITE, IRQ_SAVE and IRQ_RESTORE.",
    "Paravirtualized on the legacy profile, your kernel must print the native output with no "
      .. "violation and at most {threshold} exits.",
  },
}

-- Full virtualization of the unmodified kernel, strict profile: what paravirtualization saves.
local full_cache
local function full(p)
  full_cache = full_cache or assert(run_vm(p, nil, "full", "strict"))
  return full_cache
end

lab:question{
  id = "exits_full", kind = "number", points = 3,
  text = "The unmodified kernel (full virtualization, Type-1, strict profile) runs your program: how many VM exits?",
  answer = function(p) return full(p).exits end,
  hints = { "Measure it: put your numbers in starter/writes.s and run `traplab vm --guest kernel "
         .. "--program writes.s --stats`.",
            "Or count: every byte printed is one `out`, every system call a reflected exit plus the "
         .. "emulated mfcr, mtcr and iret of the return, and sys_write adds pushf, di and popf." },
}

lab:question{
  id = "out_exits", kind = "number", points = 2,
  text = "Of those, how many are caused by `out` (console bytes, and the timer's acknowledgements)?",
  answer = function(p)
    local h <close> = traplab.hypervisor{ vms = 1 }
    assert(h:load(0, traplab.guest("kernel.s"), program(p), files()))
    h:run(RUN_LIMIT)
    return h:stats(0).emulated_by_insn.out or 0
  end,
  hints = { "`traplab vm --guest kernel --program writes.s --stats` (starter/writes.s with your numbers) "
         .. "lists the emulated instructions by mnemonic." },
}

lab:question{
  id = "modified", kind = "choice", points = 2,
  text = "The notes say paravirtualization \"Requiere Modificaciones en el SO\". In this lab, what is modified?",
  choices = { a = "the hypervisor", b = "the guest kernel: the bodies of its arch.s macros, assembled with PARAVIRT",
              c = "the user program" },
  answer = "b",
  hints = { "The hypervisor is the same binary for both kernels; which file do you hand in?" },
}

lab:question{
  id = "no_violation", kind = "choice", points = 3,
  text = "On the legacy profile pushf and popf do not trap. Why has your paravirtualized kernel no equivalence violation?",
  choices = { a = "the hypervisor emulates pushf and popf in para mode",
              b = "it never executes them: its interrupt flag is a word in the page shared with the hypervisor, "
                .. "read and written with plain loads and stores",
              c = "paravirtualized kernels run in ring 0" },
  answer = "b",
  hints = { "Look at what your IRQ_SAVE does instead of pushf; di." },
}

-- ---- the student's arch.s -------------------------------------------------------------------
local cache
local function result(ctx, p)
  if not cache then
    local arch, why = ctx.submission:read("arch.s")
    if not arch then
      cache = { nil, "arch.s is missing from the submission (" .. tostring(why) .. ")" }
    else
      local ok, r, err = pcall(run_vm, p, arch, "para", "legacy")
      cache = ok and { r, err } or { nil, r }
      if ok and r and ctx.answers.trace == true then
        print(string.format("your paravirtualized kernel: %d exits (at most %d), %d hypercalls, %d violations",
                            r.exits, p.threshold, r.hypercalls, r.violations))
        for cause, n in pairs(r.by_cause) do if n > 0 then print(string.format("  %-14s %d", cause, n)) end end
      end
    end
  end
  return cache[1], cache[2]
end

lab:check{
  id = "assembles", points = 2, title = "the kernel assembles with your arch.s and PARAVIRT",
  hints = { "`traplab vm --guest kernel --program cpu --para` with your arch.s in a copy of guest/ shows the errors." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    return true
  end,
}

lab:check{
  id = "equal_native", points = 8, title = "paravirtualized, on the legacy profile, it prints exactly the native output",
  hints = { "console_write takes a1 = the buffer's address and a2 = its length; the macros' arguments may be "
         .. "a1 or a2 themselves: move them through `at` before loading a0..a2 (see HC_SAVE).",
            "The paravirtualized kernel still runs natively-written code around your macros: keep a0..a3 "
         .. "(HC_SAVE and HC_RESTORE) and clobber only `at`." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    if r.state ~= "halted" then
      return false, "the guest did not halt (" .. r.state .. (r.reason ~= "" and ": " .. r.reason or "") .. ")"
    end
    if r.out ~= native(p) then return false, "the output differs from native" end
    return true
  end,
}

lab:check{
  id = "no_violations", points = 5, title = "no equivalence violation on the legacy profile",
  hints = { "pushf and popf do not trap on legacy: IRQ_SAVE and IRQ_RESTORE must use the shared page's "
         .. "SH_MASK (nonzero: interrupts off) instead." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    if r.violations > 0 then return false, r.violations .. " equivalence violations" end
    return true
  end,
}

lab:check{
  id = "exits", points = 6, title = "at most your threshold of exits",
  hints = { "One hypercall per buffer, not one exit per byte: CONSOLE_WRITE and PUTC.",
            "IRQ_RESTORE needs a hypercall only when interrupts come back on and SH_PENDING says one waits." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    if r.exits > p.threshold then
      return false, r.exits .. " exits, more than your threshold of " .. p.threshold
    end
    return true
  end,
}

lab:check{
  id = "still_full", points = 2, title = "without PARAVIRT, the same arch.s is still the unmodified kernel",
  hints = { "Change only the .ifdef PARAVIRT parts; the .else parts are the kernel full virtualization runs." },
  run = function(ctx, p)
    local arch = ctx.submission:read("arch.s")
    if not arch then return false, "arch.s is missing" end
    local r, err = run_vm(p, arch, "full", "strict")
    if not r then return false, err end
    if r.out ~= native(p) then return false, "fully virtualized, the kernel prints something else" end
    if r.exits ~= full(p).exits then return false, "fully virtualized, it takes " .. r.exits .. " exits, not "
        .. full(p).exits .. ": the native bodies changed" end
    return true
  end,
}

return lab
