# corgi-expect: ruby-rails-unsafe-config
ActiveSupport.escape_html_entities_in_json = false
