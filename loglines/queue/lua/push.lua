-- push: add payloads to a queue, unless it is at its cap.
-- KEYS[1] ready  KEYS[2] items  KEYS[3] inflight  KEYS[4] delayed
-- KEYS[5] signal  KEYS[6] {p}:seq  KEYS[7] {p}:queues
-- ARGV[1] cap (0: none)  ARGV[2] queue name  ARGV[3..] payloads
-- Returns {1, depth before} when pushed, {0, depth} when full: then nothing
-- is pushed. A batch is pushed whole once the queue is below its cap, so a
-- queue may exceed its cap by at most one batch and a producer never stalls
-- on a batch larger than the cap.
local cap = tonumber(ARGV[1])
local d = depth(KEYS[1], KEYS[3], KEYS[4])
if cap > 0 and d >= cap then
  return {0, d}
end
local bad = wrong_type({KEYS[1], 'list', KEYS[2], 'hash', KEYS[5], 'list', KEYS[6], 'string',
                        KEYS[7], 'set'})
if bad then return redis.error_reply(bad) end
redis.call('SADD', KEYS[7], ARGV[2])
enqueue(KEYS[6], KEYS[1], KEYS[2], KEYS[5], ARGV, 3, #ARGV)
return {1, d}
