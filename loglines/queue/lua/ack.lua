-- ack: a consumer is done with items; their payloads may be forwarded, in
-- the same step, to other queues (the success or "other" queue), so a crash
-- can neither lose nor duplicate the forwarded copy.
-- KEYS[1] inflight  KEYS[2] items  KEYS[3] attempts  KEYS[4] errors
-- KEYS[5] {p}:seq  KEYS[6] {p}:queues
-- then 3 keys per target queue: ready, items, signal
-- ARGV[1] consumer id  ARGV[2] number of targets T  ARGV[3..2+T] target names
-- ARGV[3+T..] ids
-- An id this consumer does not hold (recovered from it meanwhile, or acked
-- already) is skipped, so the requeued copy is never deleted.
-- Returns the number of items acknowledged.
local cid, ntargets = ARGV[1], tonumber(ARGV[2])
local bad = wrong_type(target_specs({KEYS[5], 'string', KEYS[6], 'set'}, ntargets, 6, 3,
                                    {{1, 'list'}, {2, 'hash'}, {3, 'list'}}))
if bad then return redis.error_reply(bad) end
local payloads = {}
for i = 3 + ntargets, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[1], id) == cid then
    payloads[#payloads + 1] = redis.call('HGET', KEYS[2], id)
    redis.call('HDEL', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
  end
end
if #payloads > 0 then
  for t = 1, ntargets do
    local k = 6 + 3 * (t - 1)
    redis.call('SADD', KEYS[6], ARGV[2 + t])
    enqueue(KEYS[5], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], payloads, 1, #payloads)
  end
end
return #payloads
