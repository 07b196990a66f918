# corgi-expect: ruby-cookie-insecure
Shop::Application.config.session_store :cookie_store, :key => '_shop_session', :httponly => false
