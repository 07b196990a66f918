package accounts

import "gorm.io/gorm"

type Repo struct{ db *gorm.DB }

func (r *Repo) FindByEmail(email string) (*Account, error) {
	var acc Account
	err := r.db.Where("email = ? AND deleted_at IS NULL", email).First(&acc).Error
	return &acc, err
}
