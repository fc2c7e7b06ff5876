-- push: add payloads to a queue, unless it is at its cap; a producer may
-- record, in the same step, how far it got in its input (a tailer's file
-- position), so that after a crash it resumes exactly after what Redis has.
-- KEYS[1] ready  KEYS[2] items  KEYS[3] inflight  KEYS[4] delayed
-- KEYS[5] signal  KEYS[6] {p}:seq  KEYS[7] {p}:queues  KEYS[8] {p}:positions
-- ARGV[1] cap (0: none)  ARGV[2] queue name  ARGV[3] number of positions P
-- ARGV[4..3+2P] position field, value pairs  ARGV[4+2P..] payloads
-- Returns {1, depth before, ready after} when pushed, {0, depth, ready}
-- when full: then nothing is pushed or recorded. A batch is pushed whole
-- once the queue is below its cap, so a queue may exceed its cap by at most
-- one batch and a producer never stalls on a batch larger than the cap.
local cap = tonumber(ARGV[1])
local d, ready = depth(KEYS[1], KEYS[3], KEYS[4])
if cap > 0 and d >= cap then
  return {0, d, ready}
end
local bad = wrong_type({KEYS[1], 'list', KEYS[2], 'hash', KEYS[5], 'list', KEYS[6], 'string',
                        KEYS[7], 'set', KEYS[8], 'hash'})
if bad then return redis.error_reply(bad) end
redis.call('SADD', KEYS[7], ARGV[2])
local npos = tonumber(ARGV[3])
if npos > 0 then
  local kv = {}
  for i = 4, 3 + 2 * npos do kv[#kv + 1] = ARGV[i] end
  call_sliced('HSET', KEYS[8], kv)
end
local n = enqueue(KEYS[6], KEYS[1], KEYS[2], KEYS[5], ARGV, 4 + 2 * npos, #ARGV)
return {1, d, ready + n}
