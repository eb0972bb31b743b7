"""The desk's languages: Qt translators from assets/i18n, switched while the desk runs.

Source strings are English (tr / QT_TRANSLATE_NOOP); `zh_CN` is the desk's default. Installing a
translator makes Qt send every widget a LanguageChange event, on which screens set their texts
again (`retranslate`).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from kiosk.assets import asset_path

log = logging.getLogger(__name__)

LANGUAGES = {"zh": "zh_CN", "zh_CN": "zh_CN", "en": "en"}  # config value → translation file


class Translations:
    """The application's one translator; `use(lang)` swaps it (GUI thread)."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._translator: QTranslator | None = None
        self.language = "en"

    def remove(self) -> None:
        """Uninstall the translator (the desk is closing): the application speaks English."""
        self.use("en")

    def use(self, lang: str) -> bool:
        """Switch to `lang` (zh / zh_CN / en); False, with English shown, if it cannot load."""
        code = LANGUAGES.get(lang, lang)
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator.deleteLater()
            self._translator = None
        self.language = "en"
        if code == "en":
            QLocale.setDefault(QLocale(QLocale.Language.English))
            return True
        path = asset_path("i18n", f"cme_kiosk_{code}.qm")
        translator = QTranslator(self._app)
        if path is None or not translator.load(str(path)):
            log.error("translation %s not found (%s): the desk shows English", code, path)
            translator.deleteLater()
            return False
        self._app.installTranslator(translator)
        self._translator = translator
        self.language = code
        QLocale.setDefault(QLocale(code))
        return True
