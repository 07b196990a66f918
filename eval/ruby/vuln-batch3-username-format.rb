# corgi-expect: ruby-validation-regex-unanchored
class Member < ApplicationRecord
  validates :handle, presence: true, format: { with: /^[a-z0-9_]{3,20}$/ }
end
