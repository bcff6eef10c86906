-- prelude.lua -- the lab framework, run in the sandbox before a lab's lab.lua.
--
-- It defines traplab.lab (questions, checks, hints, seeded parameters) and
-- the grading loop.  Students' code runs in its own environment (fresh
-- copies of the safe libraries), so it can neither see nor patch anything
-- here; touching a forbidden library is recorded as a sandbox violation,
-- which zeroes the submission.  Compiled into the traplab binary.

local C = ...
local traplab = traplab
local type, pairs, ipairs, pcall, error, tostring, tonumber, select =
      type, pairs, ipairs, pcall, error, tostring, tonumber, select
local setmetatable, rawget, next = setmetatable, rawget, next
local sfmt, slower, sgsub, smatch, ssub, sfind = string.format, string.lower, string.gsub,
      string.match, string.sub, string.find
local tconcat, tsort, tinsert = table.concat, table.sort, table.insert
local mabs, mtype = math.abs, math.type

local KINDS = { choice = true, number = true, text = true, set = true }

-- ---- seeded randomness: splitmix64, identical on every host ---------------
local function new_rng(seed)
  local state = seed
  local rng = {}
  local function next64()
    state = state + 0x9E3779B97F4A7C15
    local z = state
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    return z ~ (z >> 31)
  end
  function rng:int(lo, hi)
    if hi < lo then error("rng:int: empty range", 2) end
    return lo + (next64() >> 1) % (hi - lo + 1)
  end
  function rng:float() return (next64() >> 11) * (1.0 / 9007199254740992.0) end
  function rng:pick(list) return list[self:int(1, #list)] end
  function rng:shuffle(list)
    local out = {}
    for i, v in ipairs(list) do out[i] = v end
    for i = #out, 2, -1 do
      local j = self:int(1, i)
      out[i], out[j] = out[j], out[i]
    end
    return out
  end
  return rng
end

-- ---- helpers ---------------------------------------------------------------
local function norm(s)
  s = slower(tostring(s))
  s = sgsub(s, "^%s+", "")
  s = sgsub(s, "%s+$", "")
  return (sgsub(s, "%s+", " "))
end

-- Only plain values are trusted: a student's table could carry metamethods.
local function plain(v)
  local t = type(v)
  return t == "string" or t == "number" or t == "boolean"
end

local function errmsg(e)
  if type(e) ~= "string" then return "(error object is a " .. type(e) .. " value)" end
  if e == "not enough memory" then
    return sfmt("memory limit exceeded (%d MiB): a memory bomb?", C.memcap // (1 << 20))
  end
  if #e > 400 then e = ssub(e, 1, 400) .. "..." end
  return e
end

local function render(text, params)
  if type(text) == "function" then return tostring(text(params)) end
  return (sgsub(tostring(text), "{([%w_]+)}", function(k)
    local v = params[k]
    if v == nil then return "{" .. k .. "}" end
    return tostring(v)
  end))
end

-- ---- the lab object ---------------------------------------------------------
local Lab = {}
Lab.__index = Lab
Lab.__metatable = "protected"

local function check_hints(spec, where)
  local hints = spec.hints or {}
  if type(hints) ~= "table" then error(where .. ": hints must be a list of strings", 3) end
  for i, h in ipairs(hints) do
    if type(h) ~= "string" and type(h) ~= "function" then
      error(sfmt("%s: hint %d must be a string", where, i), 3)
    end
  end
  return hints
end

local function add_item(self, spec, kind)
  if type(spec) ~= "table" then error(kind .. " expects a table", 3) end
  local id = spec.id
  if type(id) ~= "string" or not smatch(id, "^[%w_%-]+$") then
    error(kind .. ": id must be a word (letters, digits, _ or -)", 3)
  end
  if self._ids[id] then error(sfmt("%s '%s': duplicate id", kind, id), 3) end
  local pts = spec.points
  if type(pts) ~= "number" or pts <= 0 then error(sfmt("%s '%s': points must be > 0", kind, id), 3) end
  local item = { id = id, kind = kind, spec = spec, points = pts,
                 hints = check_hints(spec, kind .. " '" .. id .. "'") }
  if kind == "question" then
    local qk = spec.kind or "text"
    if not KINDS[qk] then error(sfmt("question '%s': unknown kind '%s'", id, tostring(qk)), 3) end
    if spec.answer == nil then error(sfmt("question '%s': no answer", id), 3) end
    item.qkind = qk
  else
    if type(spec.run) ~= "function" then error(sfmt("check '%s': run must be a function", id), 3) end
  end
  self._ids[id] = true
  tinsert(self._items, item)
  return self
end

function Lab:question(spec) return add_item(self, spec, "question") end
function Lab:check(spec) return add_item(self, spec, "check") end

-- traplab.inline(src, files): src with every `.include "NAME"` line replaced by
-- files[NAME], itself inlined (a few levels deep); an include files does not name
-- stays.  A scenario is one file in the terminal UI, so its includes go inside it.
function traplab.inline(src, files)
  if type(src) ~= "string" or type(files) ~= "table" then
    error("traplab.inline expects (source, { [name] = source })", 2)
  end
  for _ = 1, 8 do
    local n
    src, n = sgsub(src, '[ \t]*%.include%s+"([%w_%-%.]+)"[^\n]*', function(name)
      local f = files[name]
      return type(f) == "string" and f or nil
    end)
    if n == 0 then break end
  end
  return src
end

function traplab.lab(spec)
  if type(spec) ~= "table" then error("traplab.lab expects a table", 2) end
  if type(spec.title) ~= "string" then error("traplab.lab: title must be a string", 2) end
  if spec.scenario ~= nil and type(spec.scenario) ~= "function" then
    error("traplab.lab: scenario must be a function(ctx, params) returning assembly source", 2)
  end
  local o = { title = spec.title, minutes = spec.minutes or 0, answers = spec.answers or "answers.lua",
              params = spec.params, tasks = spec.tasks or {}, scenario = spec.scenario,
              _items = {}, _ids = {} }
  return setmetatable(o, Lab)
end

-- ---- students' environment -------------------------------------------------
local SAFE = { "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber",
               "tostring", "type", "xpcall", "rawequal", "rawlen", "rawget", "rawset",
               "setmetatable", "getmetatable", "print", "_VERSION", "collectgarbage" }
local LIBS = { "string", "table", "math", "utf8" }
local FORBIDDEN = { os = true, io = true, debug = true, package = true, require = true,
                    dofile = true, loadfile = true, coroutine = true }

local function new_student_env(state)
  local env = {}
  for _, k in ipairs(SAFE) do env[k] = _G[k] end
  for _, lib in ipairs(LIBS) do
    local copy = {}
    for k, v in pairs(_G[lib]) do copy[k] = v end
    env[lib] = copy
  end
  env.load = C.student_load(env)
  env._G = env
  setmetatable(env, {
    __metatable = "protected",
    __index = function(_, k)
      if FORBIDDEN[k] then
        state.violation = state.violation or sfmt("sandbox violation: tried to use '%s'", tostring(k))
        error(sfmt("'%s' is not available in a lab", tostring(k)), 2)
      end
      return nil
    end,
  })
  return env
end

local function load_student(state, rel)
  local text, err = C.read("submission", rel)
  if not text then return nil, err end
  local fn, lerr = C.load(text, "@" .. rel, state.env)
  if not fn then return nil, lerr end
  local ok, res = C.call(fn)
  if not ok then return nil, errmsg(res) end
  return true, res
end

local function folder(root)
  return {
    read = function(_, rel) return C.read(root, rel) end,
    exists = function(_, rel) return C.exists(root, rel) end,
  }
end

-- ---- grading ------------------------------------------------------------------
local function expected_list(ans)
  if type(ans) == "table" then return ans end
  return { ans }
end

local function grade_question(item, params, answers, ctx)
  local spec = item.spec
  local given = answers[item.id]
  if given == nil then return false, "no answer given (add " .. item.id .. " = ... to the answers file)" end
  local expect = spec.answer
  if type(expect) == "function" then expect = expect(params, ctx) end
  local k = item.qkind
  if k == "number" then
    local g = plain(given) and tonumber(given)
    if not g then return false, "the answer must be a number" end
    local tol = spec.tolerance or 0
    if spec.rel_tolerance then tol = mabs(expect) * spec.rel_tolerance end
    if mabs(g - expect) <= tol then return true end
    return false, "wrong answer"
  elseif k == "set" then
    local gl = {}
    if type(given) == "table" then
      for i = 1, 64 do
        local v = rawget(given, i)
        if v == nil then break end
        if not plain(v) then return false, "the answer must be a list of words or numbers" end
        gl[#gl + 1] = norm(v)
      end
    elseif type(given) == "string" then
      for w in string.gmatch(given, "[^,%s]+") do gl[#gl + 1] = norm(w) end
    else
      return false, "the answer must be a list"
    end
    local want, have = {}, {}
    for _, v in ipairs(expect) do want[norm(v)] = true end
    for _, v in ipairs(gl) do have[v] = true end
    for v in pairs(want) do if not have[v] then return false, "wrong answer" end end
    for v in pairs(have) do if not want[v] then return false, "wrong answer" end end
    return true
  else
    if not plain(given) then return false, "the answer must be a word or a number" end
    local g = norm(given)
    if k == "text" and spec.match then
      if smatch(g, spec.match) then return true end
      return false, "wrong answer"
    end
    for _, v in ipairs(expected_list(expect)) do
      if norm(v) == g then return true end
    end
    return false, "wrong answer"
  end
end

local function result_of(item, params, passed, msg)
  local hints = {}
  for i, h in ipairs(item.hints) do hints[i] = render(h, params) end
  local spec = item.spec
  return { id = item.id, kind = item.kind, points = passed and item.points or 0, max = item.points,
           passed = passed, message = msg or "", hints = hints,
           title = render(spec.title or spec.text or item.id, params) }
end

local function setup(lab, info)
  if getmetatable(lab) ~= "protected" or type(lab._items) ~= "table" then
    error("lab.lua must return the lab made by traplab.lab{...}", 0)
  end
  local params = {}
  if lab.params then params = lab.params(new_rng(info.seed)) or {} end
  return params
end

local M = {}

function M.grade(lab, info)
  local params = setup(lab, info)
  local state = {}
  state.env = new_student_env(state)
  local answers = {}
  local report = { id = info.id, title = lab.title, minutes = lab.minutes, items = {} }
  local function fatal(why)
    report.fatal = why
    report.items = {}
    for _, item in ipairs(lab._items) do
      tinsert(report.items, result_of(item, params, false, "not graded"))
    end
    return report
  end
  local there, refused = C.exists("submission", lab.answers)
  if refused then return fatal(lab.answers .. " was refused: " .. refused) end
  if there then
    local ok, res = load_student(state, lab.answers)
    if state.violation then return fatal(state.violation) end
    if not ok then return fatal(res) end
    if type(res) ~= "table" then return fatal(lab.answers .. " must return a table of answers") end
    answers = res
  end
  local ctx = { params = params, answers = answers, seed = info.seed, student = info.student,
                submission = folder("submission"), lab = folder("lab") }
  function ctx.submission:lua(rel)
    local ok, res = load_student(state, rel)
    if not ok then error(res, 0) end
    return res
  end
  -- One item graded: passed, message, and a sandbox violation if there was one.
  local function grade_item(i)
    local item = lab._items[i]
    local ok, passed, msg
    if item.kind == "question" then
      ok, passed, msg = C.call(grade_question, item, params, answers, ctx)
    else
      ok, passed, msg = C.call(item.spec.run, ctx, params)
    end
    if not ok then
      passed, msg = false, errmsg(passed)
    elseif passed == true or type(msg) ~= "string" then
      msg = passed == true and "" or "check failed"
    end
    return passed == true, msg, state.violation
  end
  -- Under a grading jail, the items run in a child process with a CPU limit per item, so
  -- one slow check fails alone (C.isolate); otherwise here.
  local results
  if C.item_cpu > 0 then
    results = C.isolate(#lab._items, C.item_cpu, grade_item)
  else
    results = {}
    for i = 1, #lab._items do
      local passed, msg, violation = grade_item(i)
      results[i] = { passed, msg, violation }
      if violation then break end
    end
  end
  for i, item in ipairs(lab._items) do
    local r = results[i]
    if r[3] then return fatal(r[3]) end
    tinsert(report.items, result_of(item, params, r[1], r[2]))
  end
  return report
end

-- The expected answers of the questions, as the text of an answers file (`lab show --key`).
local function literal(v)
  if type(v) == "string" then return sfmt("%q", v) end
  if mtype(v) == "integer" or type(v) == "boolean" then return tostring(v) end
  if type(v) == "number" then return sfmt("%.17g", v) end
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = literal(x) end
    return "{ " .. tconcat(parts, ", ") .. " }"
  end
  return "nil"
end

local function answer_key(lab, params, ctx)
  local lines = { sfmt("-- %s: expected answers for this student's seed (traplab lab show --key)", lab.title),
                  "return {" }
  for _, item in ipairs(lab._items) do
    local spec = item.spec
    if item.kind == "question" then
      local ok, a = C.call(function()
        local v = spec.answer
        if type(v) == "function" then v = v(params, ctx) end
        return v
      end)
      if not ok then
        lines[#lines + 1] = sfmt("  -- %s: the answer could not be computed: %s", item.id, errmsg(a))
      elseif spec.match and item.qkind == "text" then
        lines[#lines + 1] = sfmt("  -- %s: any text matching the pattern %q", item.id, spec.match)
      else
        if type(a) == "table" and item.qkind ~= "set" then a = a[1] end
        lines[#lines + 1] = sfmt("  %s = %s,", item.id, literal(a))
      end
    end
  end
  lines[#lines + 1] = "}"
  return tconcat(lines, "\n") .. "\n"
end

function M.describe(lab, info)
  local params = setup(lab, info)
  local out = { id = info.id, title = lab.title, minutes = lab.minutes, items = {}, tasks = {} }
  if info.want_key then
    out.key = answer_key(lab, params, { params = params, seed = info.seed, student = info.student,
                                        lab = folder("lab"), submission = folder("submission") })
  end
  for i, t in ipairs(lab.tasks) do out.tasks[i] = render(t, params) end
  for _, item in ipairs(lab._items) do
    local r = result_of(item, params, false, "")
    local spec = item.spec
    if item.kind == "question" then
      r.title = render(spec.text or item.id, params)
      if spec.choices then
        local lines = {}
        local keys = {}
        for key in pairs(spec.choices) do keys[#keys + 1] = tostring(key) end
        tsort(keys)
        for _, key in ipairs(keys) do
          local v = spec.choices[key] or spec.choices[tonumber(key)]
          lines[#lines + 1] = "  " .. key .. ") " .. render(v, params)
        end
        r.message = tconcat(lines, "\n")
      end
    end
    tinsert(out.items, r)
  end
  if info.want_scenario and lab.scenario then
    local ctx = { params = params, seed = info.seed, student = info.student,
                  submission = folder("submission"), lab = folder("lab") }
    local ok, src, name = C.call(lab.scenario, ctx, params)
    if not ok then error("scenario: " .. errmsg(src), 0) end
    local function fname(n, default)
      return type(n) == "string" and smatch(n, "^[%w_%-][%w_%-%.]*$") and n or default
    end
    if type(src) == "table" then
      -- Under the hypervisor: { guest = kernel source, program = workload source,
      -- vms = N, host = "type1"|"type2"|"type2-user", design = "full"|"para"|... (para = true
      -- is design = "para"), profile = "strict"|"legacy", guest_name, program_name }.
      local t = src
      if type(t.guest) ~= "string" or type(t.program) ~= "string" then
        error("scenario: a hypervisor scenario needs guest and program (assembly source strings)", 0)
      end
      local vms = t.vms or 1
      if mtype(vms) ~= "integer" or vms < 1 or vms > traplab.MAX_VMS then
        error(sfmt("scenario: vms must be an integer 1..%d", traplab.MAX_VMS), 0)
      end
      local host = t.host or "type1"
      if host ~= "type1" and host ~= "type2" and host ~= "type2-user" then
        error("scenario: host must be 'type1', 'type2' or 'type2-user'", 0)
      end
      out.scenario = t.guest
      out.scenario_name = fname(t.guest_name, "guest-kernel.s")
      out.scenario_program = t.program
      out.scenario_program_name = fname(t.program_name, "program.s")
      if out.scenario_program_name == out.scenario_name then out.scenario_program_name = "program-" .. out.scenario_name end
      local design = t.design or (t.para == true and "para" or "full")
      if type(design) ~= "string" or traplab.designs[design] == nil then
        local names = {}
        for n in pairs(traplab.designs) do names[#names + 1] = n end
        tsort(names)
        error(sfmt("scenario: design must be one of %s, not %s", tconcat(names, ", "), tostring(design)), 0)
      end
      if not traplab.designs[design] then
        error(sfmt("scenario: design '%s' is not built into this traplab", design), 0)
      end
      local profile = t.profile or "strict"
      if profile ~= "strict" and profile ~= "legacy" then
        error(sfmt("scenario: profile must be 'strict' or 'legacy', not %s", tostring(profile)), 0)
      end
      out.scenario_vms, out.scenario_host = vms, host
      out.scenario_design, out.scenario_profile = design, profile
      -- vm_guests = { [1] = rogue_source }: VM 1 runs its own kernel (VMs count from 0),
      -- named by vm_guest_names[1] (default "vm1-kernel.s").
      if t.vm_guests ~= nil then
        if type(t.vm_guests) ~= "table" then error("scenario: vm_guests must be a table { [vm] = kernel source }", 0) end
        local names = type(t.vm_guest_names) == "table" and t.vm_guest_names or {}
        for k, v in pairs(t.vm_guests) do
          if mtype(k) ~= "integer" or k < 0 or k >= vms then
            error(sfmt("scenario: vm_guests[%s]: no such VM (VMs are numbered from 0 to %d)", tostring(k), vms - 1), 0)
          end
          if type(v) ~= "string" then error(sfmt("scenario: vm_guests[%d] must be assembly source (a string)", k), 0) end
          local n = fname(names[k], sfmt("vm%d-kernel.s", k))
          if n == out.scenario_name or n == out.scenario_program_name then n = sfmt("vm%d-", k) .. n end
          out["scenario_vm_guest_" .. k] = v
          out["scenario_vm_guest_name_" .. k] = n
        end
      end
      return out
    end
    if type(src) ~= "string" then
      error("scenario must return assembly source (a string) or a hypervisor scenario (a table)", 0)
    end
    out.scenario = src
    out.scenario_name = fname(name, "scenario.s")
  end
  return out
end

return M
