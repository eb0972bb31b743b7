"""Prove the face models load: face_recognition_models calls quit() (exit 0) when they do not."""

import sys


def main() -> int:
    """Load the models and run one detection; print a verdict; exit 1 on failure."""
    try:
        import face_recognition  # noqa: F401  (importing loads the dlib models)
        import face_recognition_models
        import numpy as np
    # Any failure at all means the face feature would be off.
    except Exception as exc:  # noqa: BLE001
        print(f"face models: NOT available ({type(exc).__name__}: {exc})")
        return 1
    import face_recognition as fr

    blank = np.zeros((64, 64, 3), dtype=np.uint8)
    fr.face_locations(blank)
    print(f"face models: OK ({face_recognition_models.__file__})")
    return 0


if __name__ == "__main__":
    code = main()
    # Reaching this line at all is the point: a silent quit() inside the import never gets here.
    print("face models: check finished")
    sys.exit(code)
