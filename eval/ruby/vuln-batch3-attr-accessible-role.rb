# corgi-expect: ruby-attr-accessible-sensitive
class Membership < ActiveRecord::Base
  attr_accessible :nickname, :avatar_url,
                  :role
  belongs_to :team
end
