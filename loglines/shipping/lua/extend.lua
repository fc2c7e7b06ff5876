-- extend: keep the gatherer's lock for ARGV[2] more milliseconds, if it is
-- still this holder's. KEYS[1] lock  ARGV[1] token  ARGV[2] milliseconds
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
