-- Helpers prepended to every script of this folder by scripts.py; not a
-- script of its own. Scripts write after reading TIME, which needs effects
-- replication (the default since Redis 5; a no-op call on Redis 7).
redis.replicate_commands()

local function now_ms(arg)
  if arg and arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function fmt(n)
  return string.format('%d', n)
end

-- unpack() is bounded by Lua's C stack (8000 values), so a command with
-- many arguments is sent in slices; an even slice keeps HSET pairs whole.
local function call_sliced(cmd, key, args)
  for i = 1, #args, 1000 do
    redis.call(cmd, key, unpack(args, i, math.min(i + 999, #args)))
  end
end

-- HSET of many fields. Redis 6 keeps a new hash as a ziplist up to 512
-- fields, and every field set there scans all those before it: 1,000 fields
-- into an empty hash cost about 2 ms instead of 0.15 ms. A value longer than
-- hash-max-ziplist-value (64) makes HSET convert the hash to a hash table
-- first, so a large batch brings a throwaway field that goes again at once.
-- Ids are digits, so the field '' is never one. (Redis 7 converts by itself.)
local LONG_VALUE = string.rep('-', 65)
local function hset_batch(key, kv)
  if #kv <= 256 then return call_sliced('HSET', key, kv) end
  redis.call('HSET', key, '', LONG_VALUE)
  call_sliced('HSET', key, kv)
  redis.call('HDEL', key, '')
end

-- Wake one blocked consumer; the list never holds more than one token, and
-- while nobody waits the token is already there: a read, not two writes.
local function signal(key)
  if redis.call('LLEN', key) == 0 then redis.call('LPUSH', key, '1') end
end

-- Removes ids[first..] from the dead set; returns those that were in it.
local function take_dead(dead, ids, first)
  local taken = {}
  for i = first, #ids do
    if redis.call('ZREM', dead, ids[i]) == 1 then taken[#taken + 1] = ids[i] end
  end
  return taken
end

-- A queue's items in any state but dead, and (second) those ready.
local function depth(ready, inflight, delayed)
  local waiting = redis.call('LLEN', ready)
  return waiting + redis.call('HLEN', inflight) + redis.call('ZCARD', delayed), waiting
end

-- Add payloads[first..last] to a queue under fresh ids; returns how many.
local function enqueue(seq, ready, items, signal_key, payloads, first, last)
  local n = last - first + 1
  if n <= 0 then return 0 end
  local top = redis.call('INCRBY', seq, n)
  local ids, kv = {}, {}
  for i = 1, n do
    local id = fmt(top - n + i)
    ids[i] = id
    kv[2 * i - 1] = id
    kv[2 * i] = payloads[first + i - 1]
  end
  hset_batch(items, kv)
  call_sliced('LPUSH', ready, ids)
  signal(signal_key)
  return n
end

-- Payloads as one bundle (loglines/queue/bundle.py has the format and says
-- why). HMGET gives false for a field that is gone: no payload, nothing kept.
local function bundle(payloads)
  local parts, n = {}, 0
  for _, p in ipairs(payloads) do
    if p then
      parts[#parts + 1] = #p .. '\n'
      parts[#parts + 1] = p
      parts[#parts + 1] = '\n'
      n = n + 1
    end
  end
  return '\0bundle1 ' .. n .. '\n' .. table.concat(parts)
end

-- A script is not rolled back when a command fails half-way, so a script
-- that writes to several keys checks their types before its first write.
-- specs: key, type, key, type, ...; returns an error text or nil.
local function wrong_type(specs)
  for i = 1, #specs, 2 do
    local t = redis.call('TYPE', specs[i])['ok']
    if t ~= 'none' and t ~= specs[i + 1] then
      return 'WRONGTYPE ' .. specs[i] .. ' holds a ' .. t .. ', expected a ' .. specs[i + 1]
    end
  end
  return nil
end

-- Adds to specs the keys a script writes in each target queue: target t's
-- keys start after KEYS[base + stride * (t - 1)]; layout is {offset, type}.
local function target_specs(specs, ntargets, base, stride, layout)
  for t = 1, ntargets do
    local k = base + stride * (t - 1)
    for _, entry in ipairs(layout) do
      specs[#specs + 1] = KEYS[k + entry[1]]
      specs[#specs + 1] = entry[2]
    end
  end
  return specs
end

