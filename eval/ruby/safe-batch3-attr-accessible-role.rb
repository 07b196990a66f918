class Membership < ActiveRecord::Base
  attr_accessible :nickname, :avatar_url
  belongs_to :team
end
