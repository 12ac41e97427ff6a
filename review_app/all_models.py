"""Import every model module so metadata (Alembic, create_all) sees all tables."""

from .anonymise import models as anonymise  # noqa: F401
from .api import models as api  # noqa: F401
from .applications import models as applications  # noqa: F401
from .assignment import models as assignment  # noqa: F401
from .audit import models as audit  # noqa: F401
from .auth import models as auth  # noqa: F401
from .decision import models as decision  # noqa: F401
from .dossier import models as dossier  # noqa: F401
from .draws import models as draws  # noqa: F401
from .enterprises import models as enterprises  # noqa: F401
from .experts import models as experts  # noqa: F401
from .inspection import models as inspection  # noqa: F401
from .jobs import models as jobs  # noqa: F401
from .meeting import models as meeting  # noqa: F401
from .outbox import models as outbox  # noqa: F401
from .panel import models as panel  # noqa: F401
from .programs import models as programs  # noqa: F401
from .publicity import models as publicity  # noqa: F401
from .scoring import models as scoring  # noqa: F401
from .similarity import models as similarity  # noqa: F401
from .webhooks import models as webhooks  # noqa: F401
