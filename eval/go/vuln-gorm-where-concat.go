package accounts

import "gorm.io/gorm"

type Repo struct{ db *gorm.DB }

func (r *Repo) FindByEmail(email string) (*Account, error) {
	var acc Account
	err := r.db.Where("email = '" + email + "' AND deleted_at IS NULL").First(&acc).Error
	return &acc, err
}
