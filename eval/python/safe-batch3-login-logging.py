import logging

logger = logging.getLogger(__name__)


def connect(client, username, password):
    logger.debug("connecting as %s", username)
    return client.login(username, password)
