-- bury: a producer dead-letters input it rejected (a line over the size
-- limit, junk), so that it is counted and kept with its reason, never
-- silently dropped.
-- KEYS[1] items  KEYS[2] errors  KEYS[3] dead  KEYS[4] {p}:seq
-- KEYS[5] {p}:queues
-- ARGV[1] queue name  ARGV[2] now in ms ('' = Redis clock)
-- then 2 values per item: payload, error
-- Returns the number buried.
local now = now_ms(ARGV[2])
local n = (#ARGV - 2) / 2
local bad = wrong_type({KEYS[1], 'hash', KEYS[2], 'hash', KEYS[3], 'zset', KEYS[4], 'string',
                        KEYS[5], 'set'})
if bad then return redis.error_reply(bad) end
local top = redis.call('INCRBY', KEYS[4], n)
redis.call('SADD', KEYS[5], ARGV[1])
for i = 1, n do
  local id = fmt(top - n + i)
  redis.call('HSET', KEYS[1], id, ARGV[1 + 2 * i])
  redis.call('HSET', KEYS[2], id, ARGV[2 + 2 * i])
  redis.call('ZADD', KEYS[3], fmt(now), id)
end
return n
