-- shipped: a package arrived at its target. Its intervals count one package
-- fewer; an interval with none left is done, and a collector's last advances
-- over its done intervals while they follow on from it without a gap.
-- Done once per package: a second call (a repeated job) changes nothing.
-- KEYS[1] packages  KEYS[2] outstanding  KEYS[3] last  KEYS[4] shipped (hash
-- name -> answer JSON)  KEYS[5] history (list)  KEYS[6] unqueued
-- ARGV[1] name  ARGV[2] answer JSON  ARGV[3] the done-zset key's prefix
-- ARGV[4] history length kept
-- Returns 1 when recorded now, 0 when it was recorded before or is unknown.
local name = ARGV[1]
if redis.call('HEXISTS', KEYS[4], name) == 1 then return 0 end
local raw = redis.call('HGET', KEYS[1], name)
if not raw then return 0 end
local record = cjson.decode(raw)
local touched = {}
for _, e in ipairs(record.entries) do
  local left = redis.call('HINCRBY', KEYS[2], e, -1)
  if left <= 0 then
    redis.call('HDEL', KEYS[2], e)
    local key, since = string.match(e, '^(.*)|(%d+)|%d+$')
    redis.call('ZADD', ARGV[3] .. key, tonumber(since), e)
    touched[key] = true
  end
end
for key, _ in pairs(touched) do
  local done = ARGV[3] .. key
  local last = tonumber(redis.call('HGET', KEYS[3], key) or '0')
  while true do
    local first = redis.call('ZRANGE', done, 0, 0, 'WITHSCORES')
    if #first == 0 or tonumber(first[2]) > last then break end
    local until_ = tonumber(string.match(first[1], '|(%d+)$'))
    if until_ > last then last = until_ end
    redis.call('ZREM', done, first[1])
  end
  redis.call('HSET', KEYS[3], key, last)
end
redis.call('HSET', KEYS[4], name, ARGV[2])
redis.call('HDEL', KEYS[1], name)
redis.call('SREM', KEYS[6], name)
redis.call('LPUSH', KEYS[5], ARGV[2])
redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[4]) - 1)
return 1
