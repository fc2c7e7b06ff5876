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
-- One read of the owners and one delete per hash for the whole batch.
local ids = {}
for i = 3 + ntargets, #ARGV do ids[#ids + 1] = ARGV[i] end
if #ids == 0 then return 0 end
local owners = redis.call('HMGET', KEYS[1], unpack(ids))
local mine = {}
for i, id in ipairs(ids) do
  if owners[i] == cid then mine[#mine + 1] = id end
end
if #mine == 0 then return 0 end
local payloads = {}
if ntargets > 0 then payloads = redis.call('HMGET', KEYS[2], unpack(mine)) end
for _, key in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[4]}) do
  call_sliced('HDEL', key, mine)
end
if ntargets > 0 then
  for t = 1, ntargets do
    local k = 6 + 3 * (t - 1)
    redis.call('SADD', KEYS[6], ARGV[2 + t])
    enqueue(KEYS[5], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], payloads, 1, #payloads)
  end
end
return #mine
