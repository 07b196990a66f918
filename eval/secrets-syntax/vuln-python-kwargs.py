client = Client(airtable_key="TModLk9X73H2P7VWT46LJWLd4cHgZpeR")
