-- forget_consumers: unregister consumers silent for longer than the
-- timeout, after their items were recovered. Done in one step so that a
-- consumer beating at this instant is never removed.
-- KEYS[1] {p}:consumers  KEYS[2] {p}:consumer-info
-- ARGV[1] consumer timeout ms  ARGV[2] now in ms ('' = Redis clock)
-- Returns the ids forgotten.
local now = now_ms(ARGV[2])
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. fmt(now - tonumber(ARGV[1])))
if #stale > 0 then
  call_sliced('ZREM', KEYS[1], stale)
  call_sliced('HDEL', KEYS[2], stale)
end
return stale
