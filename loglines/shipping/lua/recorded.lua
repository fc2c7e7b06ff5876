-- recorded: a gathering's packages are written; remember each one, and how
-- many packages each of its intervals is spread over, in one step.
-- KEYS[1] packages (hash name -> record JSON)  KEYS[2] outstanding (hash
-- "key|since|until" -> packages not shipped yet)  KEYS[3] last (hash key ->
-- seconds: everything before it shipped)  KEYS[4] unqueued (set of names)
-- KEYS[5] shipped (hash name -> answer): a name gathered again is to be
-- shipped again (it replaces the earlier one at the target)
-- ARGV[1] JSON list of {name, record, entries}  ARGV[2] JSON {key: since}:
-- where a collector with no last yet starts
local packages = cjson.decode(ARGV[1])
for _, p in ipairs(packages) do
  if redis.call('HSETNX', KEYS[1], p.name, p.record) == 1 then
    for _, e in ipairs(p.entries) do redis.call('HINCRBY', KEYS[2], e, 1) end
    redis.call('HDEL', KEYS[5], p.name)
  else
    -- Waiting still (a job dead-lettered, say): gathered again, it gets a
    -- job again; its intervals are counted once.
    redis.call('HSET', KEYS[1], p.name, p.record)
  end
  redis.call('SADD', KEYS[4], p.name)
end
for key, since in pairs(cjson.decode(ARGV[2])) do
  redis.call('HSETNX', KEYS[3], key, since)
end
return #packages
