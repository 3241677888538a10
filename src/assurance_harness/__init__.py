"""assurance-harness: behavioural evaluation of deployed AI models, carried into a risk register."""

__version__ = "0.1.0"

__all__ = ["__version__"]
