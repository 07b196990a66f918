class User < ApplicationRecord
  has_secure_password

  def gravatar_url
    hash = Digest::SHA256.hexdigest(email.downcase.strip)
    "https://www.gravatar.com/avatar/#{hash}"
  end
end
