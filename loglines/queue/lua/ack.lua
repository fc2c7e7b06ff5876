-- ack: a consumer is done with items; their payloads may be forwarded, in
-- the same step, to other queues (the success or "other" queue), so a crash
-- can neither lose nor duplicate the forwarded copy.
-- KEYS[1] inflight  KEYS[2] items  KEYS[3] attempts  KEYS[4] errors
-- KEYS[5] {p}:seq  KEYS[6] {p}:queues
-- then 3 keys per target queue: ready, items, signal
-- ARGV[1] consumer id  ARGV[2] number of targets T  ARGV[3] '1': forward the
-- payloads as one bundle item per target (queue/bundle.py), '0': an item each
-- ARGV[4..3+T] target names  ARGV[4+T..] ids
-- An id this consumer does not hold (recovered from it meanwhile, or acked
-- already) is skipped, so the requeued copy is never deleted.
-- Returns the number of items acknowledged.
local cid, ntargets, bundled = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
-- The targets' keys are checked before the first write; without targets, none.
if ntargets > 0 then
  local bad = wrong_type(target_specs({KEYS[5], 'string', KEYS[6], 'set'}, ntargets, 6, 3,
                                      {{1, 'list'}, {2, 'hash'}, {3, 'list'}}))
  if bad then return redis.error_reply(bad) end
end
-- One read of the owners and one delete per hash for the whole batch.
local first = 4 + ntargets
if first > #ARGV then return 0 end
local owners = redis.call('HMGET', KEYS[1], unpack(ARGV, first))
local mine, n = {}, 0
for i = first, #ARGV do
  if owners[i - first + 1] == cid then
    n = n + 1
    mine[n] = ARGV[i]
  end
end
if n == 0 then return 0 end
local payloads = {}
if ntargets > 0 then payloads = redis.call('HMGET', KEYS[2], unpack(mine)) end
call_sliced('HDEL', KEYS[1], mine)
call_sliced('HDEL', KEYS[2], mine)
-- Attempts and errors are kept only for items that failed before: usually none.
for _, key in ipairs({KEYS[3], KEYS[4]}) do
  if redis.call('HLEN', key) > 0 then call_sliced('HDEL', key, mine) end
end
if ntargets > 0 and bundled then payloads = {bundle(payloads)} end
for t = 1, ntargets do
  local k = 6 + 3 * (t - 1)
  redis.call('SADD', KEYS[6], ARGV[3 + t])
  enqueue(KEYS[5], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], payloads, 1, #payloads)
end
return n
