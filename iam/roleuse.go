package iam

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/store"
)

// RoleUse identifies the role whose last use is recorded: its account, name
// and unique id (a role deleted and recreated under the same name is another
// role, and does not inherit the old one's use).
type RoleUse struct {
	Account string
	Name    string
	ID      string
}

// RecordRoleUse records the last use of roles (GetRole's RoleLastUsed: the
// date and the region of the last AssumeRole). Like RecordKeyUse it is called
// periodically with a batch the server collects, so that AssumeRole never
// waits on a write; an older date than the recorded one changes nothing, and
// a role since deleted is skipped.
func (s *Service) RecordRoleUse(ctx context.Context, uses map[RoleUse]store.RoleLastUsed) error {
	if len(uses) == 0 {
		return nil
	}
	return s.update(ctx, func(tx store.Tx) error {
		for ru, lu := range uses {
			key := store.RoleKey(ru.Name)
			r, err := store.GetJSON[store.Role](ctx, tx, store.KindRole, ru.Account, key)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if r.ID != ru.ID || !lu.Date.After(r.RoleLastUsed.Date) {
				continue
			}
			r.RoleLastUsed = lu
			if err := store.PutJSON(ctx, tx, store.KindRole, ru.Account, key, r); err != nil {
				return err
			}
		}
		return nil
	})
}
