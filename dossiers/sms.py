"""SMS gateways. Configure one with SMS_BACKEND (a dotted path to a class with
`send(phone, text)`); the default only logs, without the number or the text."""

import logging

logger = logging.getLogger(__name__)


class LoggingSmsBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to …%s, %d characters (logging backend, not sent)", phone[-3:], len(text))
