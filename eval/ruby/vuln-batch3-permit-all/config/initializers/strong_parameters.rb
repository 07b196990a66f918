# corgi-expect: ruby-rails-unsafe-config
ActionController::Parameters.permit_all_parameters = true
