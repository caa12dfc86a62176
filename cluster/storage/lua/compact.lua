--[[
Stores a snapshot the application took at an applied (so committed) index and
deletes the entries it covers, in one atomic step. A snapshot no newer than
the stored one is ignored (returns 0); one the log cannot vouch for (beyond
the commit index, or with another term than the entry at its index) is
refused and changes nothing. Returns 1 when stored.

KEYS[1] log LIST, KEYS[2] hard state HASH, KEYS[3] snapshot HASH
ARGV[1..4] snapshot index, term, confState JSON, data
Errors start with STORAGE_REJECTED or STORAGE_CORRUPT.
]]

local logKey, hardStateKey, snapshotKey = KEYS[1], KEYS[2], KEYS[3]

local function rejected(message)
  return redis.error_reply("STORAGE_REJECTED " .. message)
end
local function int(number)
  return string.format("%d", number)
end

local index, term = tonumber(ARGV[1]), tonumber(ARGV[2])
local storedSnapshotIndex = tonumber(redis.call("HGET", snapshotKey, "index")) or 0
if index <= storedSnapshotIndex then
  return 0
end
local commit = tonumber(redis.call("HGET", hardStateKey, "commit")) or 0
if index > commit then
  return rejected("snapshot at index " .. ARGV[1] .. " is beyond the commit index " .. int(commit))
end
local position = index - storedSnapshotIndex - 1
local encoded = redis.call("LINDEX", logKey, int(position))
if not encoded then
  return rejected("snapshot at index " .. ARGV[1] .. " is beyond the last log index " .. int(storedSnapshotIndex + redis.call("LLEN", logKey)))
end
local entryIndex, entryTerm = string.match(encoded, "^(%d+):(%d+):")
if tonumber(entryIndex) ~= index then
  return redis.error_reply("STORAGE_CORRUPT stored entry " .. ARGV[1] .. " is unreadable")
end
if tonumber(entryTerm) ~= term then
  return rejected("snapshot at index " .. ARGV[1] .. " has term " .. ARGV[2] .. " but the entry there has term " .. entryTerm)
end

redis.call("HSET", snapshotKey, "index", ARGV[1], "term", ARGV[2], "confState", ARGV[3], "data", ARGV[4])
redis.call("LTRIM", logKey, int(position + 1), "-1")
return 1
