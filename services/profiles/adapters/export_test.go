package adapters

// AsSharedStore makes r count members as if other instances wrote to its
// store too (recounting on age), for tests that play two instances on one
// embedded store.
func (r *Firms) AsSharedStore() *Firms {
	r.members.singleWriter = false
	return r
}
