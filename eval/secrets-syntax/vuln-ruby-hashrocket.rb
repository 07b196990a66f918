Config = { :paddle_private_key => "N9UWSWQ7E4epcgZf6UfzPvNWNa76e7ux" }
