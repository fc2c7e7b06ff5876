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

-- Wake one blocked consumer; the list never holds more than one token.
local function signal(key)
  redis.call('LPUSH', key, '1')
  redis.call('LTRIM', key, 0, 0)
end

local function depth(ready, inflight, delayed)
  return redis.call('LLEN', ready) + redis.call('HLEN', inflight) + redis.call('ZCARD', delayed)
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
  call_sliced('HSET', items, kv)
  call_sliced('LPUSH', ready, ids)
  signal(signal_key)
  return n
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

