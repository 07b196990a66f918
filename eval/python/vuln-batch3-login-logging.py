# corgi-expect: python-logger-credential
import logging

logger = logging.getLogger(__name__)


def connect(client, username, password):
    logger.debug("connecting as %s / %s", username, password)
    return client.login(username, password)
