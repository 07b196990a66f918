class LegacyUser < ApplicationRecord
  def password=(plain)
    self.salt = SecureRandom.hex(8)
    self.password_digest = Digest::MD5.hexdigest("#{salt}#{plain}")
  end

  def authenticate(plain)
    password_digest == Digest::MD5.hexdigest("#{salt}#{plain}")
  end
end
