ALGOLIA_ADMIN_KEY = "k7rq2zpx9mwv4tbn8cyh3lsdqQ"
