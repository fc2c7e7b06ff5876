-- heartbeat: a consumer says it is alive, on the Redis clock so that the
-- hosts' clocks need not agree.
-- KEYS[1] {p}:consumers  KEYS[2] {p}:consumer-info
-- ARGV[1] consumer id  ARGV[2] info (JSON)  ARGV[3] now in ms ('' = Redis clock)
-- Returns 1 when the consumer was not registered: its first beat, or it had
-- been presumed dead and its items given to others.
local now = now_ms(ARGV[3])
local added = redis.call('ZADD', KEYS[1], fmt(now), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return added
