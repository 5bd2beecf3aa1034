"""PyInstaller runtime hook for PySide6 that defers the Qt import.

PyInstaller's own hook (pyi_rth_pyside6) imports PySide6.QtCore as the program
starts, to register a qt.conf. That costs about 60 ms before every command,
including `hedger plan` and `hedger --version`, which never touch Qt. This
hook sets the same environment at once and registers qt.conf right after
PySide6.QtCore is first imported, so only the desktop app pays for Qt.
packaging/hooks/rthooks.dat puts it in place of PyInstaller's hook.
"""

from __future__ import annotations


def _pyi_rthook() -> None:
    import importlib.machinery
    import importlib.util
    import os
    import sys
    import types

    from _pyi_rth_utils import is_macos_app_bundle, prepend_path_to_environment_variable
    from _pyi_rth_utils import qt as qt_rth_utils

    qt_rth_utils.ensure_single_qt_bindings_package("PySide6")
    if sys.platform.startswith("win"):
        qt_path = os.path.join(sys._MEIPASS, "PySide6")
    else:
        qt_path = os.path.join(sys._MEIPASS, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt_path, "plugins")
    if sys.platform.startswith("win"):
        prepend_path_to_environment_variable(sys._MEIPASS, "PATH")
    if sys.platform == "darwin" and not is_macos_app_bundle:
        prepend_path_to_environment_variable(sys._MEIPASS, "DYLD_LIBRARY_PATH")

    class _QtConfAfterQtCore:
        """Meta-path finder that runs once: wraps PySide6.QtCore's loader."""

        def find_spec(
            self, name: str, path: object = None, target: object = None
        ) -> importlib.machinery.ModuleSpec | None:
            if name != "PySide6.QtCore":
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            if spec is None or spec.loader is None:
                return spec
            exec_module = spec.loader.exec_module

            def exec_then_register(module: types.ModuleType) -> None:
                exec_module(module)
                qt_rth_utils.create_embedded_qt_conf("PySide6", qt_path)

            spec.loader.exec_module = exec_then_register
            return spec

    sys.meta_path.insert(0, _QtConfAfterQtCore())


_pyi_rthook()
del _pyi_rthook
