-- lab.lua -- lab 04: shadow page tables, partitions and isolation.
--
-- Part 1: the student predicts the shadow fills and flushes of the `mm`
-- workload with their own number of rounds (measured here, never typed in).
-- Part 2: the student writes a hostile guest kernel (attack.s) for VM 0: it
-- tries to write past the end of its partition, then spins with its
-- interrupts off.  VMs 1..n run the real guest kernel and `mm`.  The checks
-- show the store blocked (BUS_ERROR reflected, the marker nowhere in another
-- VM), the attacker preempted (still spinning, switched out), and every other
-- VM finishing with exactly its native output.

local RUN_LIMIT = 100000000       -- real instructions, all VMs together
local PART = 0x100000             -- each VM's guest-physical memory (1 MiB)
local BUS_ERROR = traplab.cause.BUS_ERROR

local function mm(p)
  return traplab.guest("mm", { ROUNDS = p.rounds })
end

-- Part 1: the one-VM Type-1 run of mm whose shadow counters the student predicts.
local shadow_cache
local function shadow(p)
  if not shadow_cache then
    local h <close> = traplab.hypervisor{ vms = 1 }
    assert(h:load(0, traplab.guest("kernel"), mm(p)))
    assert(h:run(RUN_LIMIT) == "halt", "lab 04: mm did not halt")
    local s = h:stats(0)
    shadow_cache = { fills = s.shadow_fills, flushes = s.shadow_flushes, syncs = s.shadow_syncs }
  end
  return shadow_cache
end

local native_cache
local function native(p)
  native_cache = native_cache or traplab.native{ kernel = traplab.guest("kernel"), program = mm(p) }
  return native_cache
end

local function attack_source(p, src)
  return string.format(".equ TARGET, 0x%08x\n.equ MARKER, 0x%08x\n", p.target, p.marker) .. src
end

-- Part 2: VM 0 runs the attacker, VMs 1..others run the kernel and mm, until
-- every other VM has stopped.  Returns what the checks need, or nil, message.
local function run_attack(src, p)
  local h <close> = traplab.hypervisor{ vms = p.others + 1 }
  local ok, diag = h:load(0, attack_source(p, src))
  if not ok then return nil, "attack.s does not assemble:\n" .. diag:gsub("kernel%.s:(%d+)", function(l)
    return "attack.s:" .. (tonumber(l) - 2) end) end
  for vm = 1, p.others do assert(h:load(vm, traplab.guest("kernel"), mm(p))) end
  local stopped = 0
  h:on_exit(function(e)
    if e.kind == "stop" and e.vm ~= 0 then
      stopped = stopped + 1
      if stopped == p.others then h:stop() end
    end
  end)
  local r = { stop = h:run(RUN_LIMIT), vms = {} }
  for vm = 0, p.others do
    local state, reason = h:state(vm)
    r.vms[vm] = { state = state, reason = reason, out = h:console(vm), stats = h:stats(vm) }
  end
  r.status = h:vcr(0, "status")
  r.cause = h:vcr(0, "cause") & 0xff
  -- Is the marker anywhere in another VM's memory?
  local needle = string.pack("<I4", p.marker)
  for vm = 1, p.others do
    for off = 0, PART - 65536, 65536 do
      if h:read(vm, off, 65536):find(needle, 1, true) then
        r.leak = string.format("the marker is in VM %d's memory at 0x%06x", vm, off)
      end
    end
  end
  return r
end

local lab = traplab.lab{
  title = "Shadow page tables, partitions and isolation",
  minutes = 90,
  answers = "answers.lua",
  params = function(rng)
    local rounds = rng:int(3, 15)
    local others = rng:int(2, 3)
    local page = rng:int(0, 15)
    local marker = rng:int(0x10000000, 0x7fffffff)
    return { rounds = rounds, others = others, page = page, target = PART + page * 4096,
             target_hex = string.format("0x%08x", PART + page * 4096),
             marker = marker, marker_hex = string.format("0x%08x", marker), vms = others + 1 }
  end,
  -- `traplab lab run 04-shadow-paging-and-isolation`: your attacker (or the starter's) in
  -- VM 0 beside the real kernel and your mm in the others, in the terminal UI.
  scenario = function(ctx, p)
    local attack = ctx.submission:read("attack.s") or assert(ctx.lab:read("starter/attack.s"))
    return { guest = traplab.guest("kernel"), guest_name = "lab04-kernel.s",
             program = mm(p), program_name = "lab04-mm.s", vms = p.vms, host = "type1",
             vm_guests = { [0] = attack_source(p, attack) }, vm_guest_names = { [0] = "lab04-attack.s" } }
  end,
  tasks = {
    "Read the handout (README.en.md or README.es.md) and docs/vmm.md, section 4 (shadow page tables).",
    "Your mm runs {rounds} rounds (traplab vm --guest kernel --program mm -D ROUNDS={rounds} --stats). "
      .. "Predict its shadow fills and flushes in one VM, then measure them.",
    "Write attack.s, a guest kernel for VM 0 of {vms}: write your marker {marker_hex} at guest-physical {target_hex} "
      .. "(past your 1 MiB), then spin forever with interrupts off.",
    "The other {others} VMs run the guest kernel and mm: they must all finish with the native checksum.",
    "Answer the questions in answers.lua.",
  },
}

lab:question{
  id = "fills", kind = "number", points = 4,
  text = "The mm workload with ROUNDS = {rounds}, in one VM of the Type-1 hypervisor: how many shadow fills "
      .. "(hidden page faults the VMM fixes in the shadow page table)?",
  answer = function(p) return shadow(p).fills end,
  hints = { "Measure mm with two or three values of ROUNDS (-D ROUNDS=N --stats): the count grows by the same "
         .. "amount each round. Why that amount? Count the pages each round touches after each flush.",
            "fills = a + b * ROUNDS: find a and b from two runs." },
}

lab:question{
  id = "flushes", kind = "number", points = 3,
  text = "And how many shadow flushes (the whole shadow dropped) in that run?",
  answer = function(p) return shadow(p).flushes end,
  hints = { "A flush happens when the guest loads a new page-table base (mtcr ptb: a context switch) or turns "
         .. "paging on or off. How many context switches does one round make with two tasks?" },
}

lab:question{
  id = "why_flush", kind = "choice", points = 2,
  text = "Why does every context switch of the guest cost a shadow flush and then new fills?",
  choices = { a = "the TLB is too small",
              b = "the VMM keeps one shadow per VM, built from the running guest page table: a new ptb invalidates all of it",
              c = "the guest kernel flushes it on purpose" },
  answer = "b",
  hints = { "docs/vmm.md, section 4: \"There is one shadow per VM, not one per guest address space\"." },
}

lab:question{
  id = "isolation", kind = "choice", points = 2,
  text = "Your attacker's store to {target_hex} does not reach the next VM. What stops it?",
  choices = { a = "ring 1 cannot store to memory",
              b = "the real MMU walks only the VMM's shadow page table, which maps nothing outside the VM's "
                .. "partition: a guest-physical address past the partition is a BUS_ERROR",
              c = "the guest's own page table" },
  answer = "b",
  hints = { "With paging off the guest has no page table at all, yet the store still faults." },
}

lab:question{
  id = "preempt", kind = "choice", points = 2,
  text = "Your attacker disabled interrupts (di) and spins forever, yet the others finish. Why?",
  choices = { a = "di traps and the VMM emulates it on the virtual CPU: the real interrupts stay on, so the "
                .. "VMM's timer still ends the attacker's slice",
              b = "the attacker runs slower than the others",
              c = "the VMM stops a VM that runs a loop" },
  answer = "a",
  hints = { "Which interrupt flag does di change under the hypervisor: the real one or the virtual one?" },
}

-- ---- the attacker -------------------------------------------------------------------------
local cache
local function result(ctx, p)
  if not cache then
    local src, why = ctx.submission:read("attack.s")
    if not src then
      cache = { nil, "attack.s is missing from the submission (" .. tostring(why) .. ")" }
    else
      local ok, r, err = pcall(run_attack, src, p)
      cache = ok and { r, err } or { nil, r }
    end
  end
  return cache[1], cache[2]
end

lab:check{
  id = "assembles", points = 2, title = "attack.s assembles",
  hints = { "Run `traplab asm attack.s -D TARGET=0 -D MARKER=0` to see the errors." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    return true
  end,
}

lab:check{
  id = "blocked", points = 6, title = "the store past the partition is blocked, and the attacker is told",
  hints = { "The store must actually be executed: TARGET is past your 1 MiB, so the VMM reflects a "
         .. "BUS_ERROR into your trap vector. Without one (mtcr tvb) your VM fails instead.",
            "In the vector, set epc to the instruction after the store (mtcr epc) and iret." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    local a = r.vms[0]
    if r.leak then return false, r.leak .. ": isolation failed" end
    if a.stats.blocked < 1 then return false, "no access of VM 0 was blocked: did it store to " .. p.target_hex .. "?" end
    if a.state == "failed" then return false, "VM 0 failed instead of handling the fault: " .. a.reason end
    if r.cause ~= BUS_ERROR then
      return false, "VM 0's last trap was " .. traplab.cause_name(r.cause) .. ", not the BUS_ERROR of its store"
    end
    return true
  end,
}

lab:check{
  id = "preempted", points = 6, title = "the attacker spins with its interrupts off, and is preempted anyway",
  hints = { "After the store, di and a loop that never ends: VM 0 must still be running when the others halt.",
            "A VM that halts or fails is not starving anyone: it must keep the CPU." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    local a = r.vms[0]
    if a.state ~= "running" then return false, "VM 0 is " .. a.state .. ", not spinning" end
    if r.status & 4 ~= 0 then return false, "VM 0's virtual interrupts are on: disable them (di)" end
    if a.stats.vm_switches < 2 then return false, "VM 0 was never switched out" end
    return true
  end,
}

lab:check{
  id = "others", points = 8, title = "every other VM finishes with its native output",
  hints = { "If this fails while your attacker is right, the hypervisor broke isolation: tell your instructor." },
  run = function(ctx, p)
    local r, err = result(ctx, p)
    if not r then return false, err end
    local want = native(p).console
    for vm = 1, p.others do
      local v = r.vms[vm]
      if v.state ~= "halted" then return false, "VM " .. vm .. " did not finish (" .. v.state .. ")" end
      if v.out ~= want then return false, "VM " .. vm .. "'s output differs from native" end
    end
    return true
  end,
}

return lab
