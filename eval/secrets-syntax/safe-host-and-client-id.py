# A connected app's settings: the org's host and the consumer key (its OAuth client_id) are not
# credentials; the consumer secret comes from the environment.
import os

SALESFORCE_DOMAIN = "acme-prod-42.my.salesforce.com"
SALESFORCE_KEY = "3MVG9kPq2Rz7Tw4Xy8Ab5Cd1Ef6Gh3Jk9Lm2Np7Qr4St8Uv1Wx5Yz0Ab3Cd6Ef9Gh2Jk5Lm8Np1Qr4St.Uv7"
SALESFORCE_SECRET = os.environ["SALESFORCE_SECRET"]
