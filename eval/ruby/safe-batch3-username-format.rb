class Member < ApplicationRecord
  validates :handle, presence: true, format: { with: /\A[a-z0-9_]{3,20}\z/ }
end
