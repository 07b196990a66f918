// CorgiObjects
