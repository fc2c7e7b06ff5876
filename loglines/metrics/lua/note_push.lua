-- note_push: date the ids a push just took, for the age of the oldest ready
-- item (loglines/metrics/ages.py). Reads the id counter and the clock in
-- Redis, so a note costs one round trip and every host's notes share one
-- clock.
-- KEYS[1] {p}:seq  KEYS[2] {p}:id-times
-- ARGV[1] fresh ids the push took (the last of them is the counter's value)
-- ARGV[2] most notes kept: the oldest beyond it are dropped
-- Returns the time noted (ms, Redis clock).
local top = tonumber(redis.call('GET', KEYS[1]) or '0')
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], top - tonumber(ARGV[1]) + 1, ms)
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1) end
return ms
