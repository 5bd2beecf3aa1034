"""PyInstaller runtime hook: stand in for PySide6.QtOpenGL, left out of the build.

pyqtgraph 0.14 imports PySide6.QtOpenGL when it loads but touches it only on
its OpenGL drawing paths, which Hedger never enables. The module's bindings
are 8.6 MB, so the build leaves them out (packaging/hedger.spec) and this
stand-in takes their place. Anything that does reach for OpenGL gets a clear
ImportError instead of a crash.
"""

import sys
import types


class _QtOpenGLLeftOut(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        raise ImportError(
            f"PySide6.QtOpenGL.{name} is not part of this Hedger build (it draws without OpenGL)"
        )


sys.modules.setdefault("PySide6.QtOpenGL", _QtOpenGLLeftOut("PySide6.QtOpenGL"))
