-- fanout: move items from one queue into every target queue in one step,
-- so a crash never leaves an item in some targets only, nor in both the
-- source and a target. Nothing moves while any target is at its cap.
-- KEYS[1] source ready  KEYS[2] source items  KEYS[3] source attempts
-- KEYS[4] source errors  KEYS[5] {p}:seq  KEYS[6] {p}:queues
-- then 5 keys per target queue: ready, items, inflight, delayed, signal
-- ARGV[1] max items (<= 1000)  ARGV[2] number of targets T
-- then 2 values per target: name, cap (0: none)
-- Returns {moved, index of the first full target (1-based) or 0}
local count, ntargets = tonumber(ARGV[1]), tonumber(ARGV[2])
for t = 1, ntargets do
  local k = 6 + 5 * (t - 1)
  local cap = tonumber(ARGV[2 + 2 * t])
  if cap > 0 and depth(KEYS[k + 1], KEYS[k + 3], KEYS[k + 4]) >= cap then
    return {0, t}
  end
end
local bad = wrong_type(target_specs(
  {KEYS[1], 'list', KEYS[2], 'hash', KEYS[5], 'string', KEYS[6], 'set'}, ntargets, 6, 5,
  {{1, 'list'}, {2, 'hash'}, {5, 'list'}}))
if bad then return redis.error_reply(bad) end
local ids = redis.call('RPOP', KEYS[1], count)
if not ids then return {0, 0} end
local found = redis.call('HMGET', KEYS[2], unpack(ids))
local payloads = {}
for i, id in ipairs(ids) do
  if found[i] then payloads[#payloads + 1] = found[i] end
end
call_sliced('HDEL', KEYS[2], ids)
call_sliced('HDEL', KEYS[3], ids)
call_sliced('HDEL', KEYS[4], ids)
for t = 1, ntargets do
  local k = 6 + 5 * (t - 1)
  redis.call('SADD', KEYS[6], ARGV[1 + 2 * t])
  enqueue(KEYS[5], KEYS[k + 1], KEYS[k + 2], KEYS[k + 5], payloads, 1, #payloads)
end
return {#payloads, 0}
