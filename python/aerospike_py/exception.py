"""Exceptions raised by aerospike-py, named and coded like the official client's `aerospike.exception`.

Every exception carries `.code` (the server result code, or a negative client code) and `.msg`.
`_BY_CODE` maps each result code to its class; the Rust core reads it once and caches it.
"""

from __future__ import annotations


class AerospikeError(Exception):
    """Base of every aerospike-py error."""

    code: int | None = None

    def __init__(self, code=None, msg=None, file=None, line=None, in_doubt=False):
        if code is None:
            code = type(self).code
        super().__init__(code, msg, file, line, in_doubt)
        self.code = code
        self.msg = msg
        self.file = file
        self.line = line
        self.in_doubt = in_doubt

    def __str__(self) -> str:
        return f"({self.code}) {self.msg}"


# Client-side failures (negative codes).
class ClientError(AerospikeError):
    code = -1


class ParamError(ClientError):
    code = -2


class InvalidHostError(ClientError):
    code = -4


class ClientAbortError(ClientError):
    code = -5


class NoMoreConnectionsError(ClientError):
    code = -7


class InvalidNodeError(ClientError):
    code = -8


class TLSError(ClientError):
    code = -9


class ConnectionError(ClientError):  # noqa: A001 - the official client's name
    code = -10


class AsyncConnectionError(ClientError):
    code = -6


class MaxRetriesExceeded(ClientError):
    code = -12


class MaxErrorRateExceeded(ClientError):
    code = -14


class NoResponse(ClientError):
    code = -15


class BatchFailed(ClientError):
    code = -16


class TimeoutError(AerospikeError):  # noqa: A001 - the official client's name
    code = 9


# Server-side failures.
class ServerError(AerospikeError):
    code = 1


class ClusterError(ServerError):
    code = 11


class ClusterChangeError(ClusterError):
    code = 7


class InvalidRequest(ServerError):
    code = 4


class ServerFull(ServerError):
    code = 8


class AlwaysForbidden(ServerError):
    code = 10


class ScanAbortedError(ServerError):
    code = 15


class UnsupportedFeature(ServerError):
    code = 16


class DeviceOverload(ServerError):
    code = 18


class NamespaceNotFound(ServerError):
    code = 20


class ForbiddenError(ServerError):
    code = 22


class ElementNotFoundError(ServerError):
    code = 23


class ElementExistsError(ServerError):
    code = 24


class EnterpriseOnly(ServerError):
    code = 25


class OpNotApplicable(ServerError):
    code = 26


class FilteredOut(ServerError):
    code = 27


class LostConflict(ServerError):
    code = 28


class InvalidGeoJSON(ServerError):
    code = 160


class BatchDisabledError(ServerError):
    code = 150


class BatchMaxRequestError(ServerError):
    code = 151


class BatchQueueFullError(ServerError):
    code = 152


class RecordError(ServerError):
    """A failure about one record (the official client adds .key and .bin)."""

    code = None
    key = None
    bin = None


class RecordNotFound(RecordError):
    code = 2


class RecordGenerationError(RecordError):
    code = 3


class RecordExistsError(RecordError):
    code = 5


class BinExistsError(RecordError):
    code = 6


class BinIncompatibleType(RecordError):
    code = 12


BinTypeError = BinIncompatibleType


class RecordTooBig(RecordError):
    code = 13


class RecordBusy(RecordError):
    code = 14


class BinNotFound(RecordError):
    code = 17


class RecordKeyMismatch(RecordError):
    code = 19


class BinNameError(RecordError):
    code = 21


class QueryError(ServerError):
    code = 213


class QueryAbortedError(ServerError):
    code = 210


class QueryQueueFull(QueryError):
    code = 211


class QueryTimeout(QueryError):
    code = 212


class IndexError(ServerError):  # noqa: A001 - the official client's name
    code = 204
    name = None


class IndexFoundError(IndexError):
    code = 200


class IndexNotFound(IndexError):
    code = 201


class IndexOOM(IndexError):
    code = 202


class IndexNotReadable(IndexError):
    code = 203


class IndexNameMaxLen(IndexError):
    code = 205


class IndexNameMaxCount(IndexError):
    code = 206


class UDFError(ServerError):
    code = 100
    module = None
    func = None


class UDFNotFound(UDFError):
    code = 1301


class LuaFileNotFound(UDFError):
    code = 1302


class AdminError(ServerError):
    code = None


class SecurityNotSupported(AdminError):
    code = 51


class SecurityNotEnabled(AdminError):
    code = 52


class InvalidUser(AdminError):
    code = 60


class InvalidPassword(AdminError):
    code = 62


class InvalidCredential(AdminError):
    code = 65


class NotAuthenticated(AdminError):
    code = 80


class RoleViolation(AdminError):
    code = 81


class InvalidEncoding(ServerError):
    code = 29


class XDRKeyBusy(ServerError):
    code = 32


class QueryEnd(ServerError):
    code = 50


class SecuritySchemeNotSupported(AdminError):
    code = 53


class InvalidCommand(AdminError):
    code = 54


class InvalidField(AdminError):
    code = 55


class IllegalState(AdminError):
    code = 56


class UserExistsError(AdminError):
    code = 61


class ExpiredPassword(AdminError):
    code = 63


class ForbiddenPassword(AdminError):
    code = 64


class ExpiredSession(AdminError):
    code = 66


class InvalidRole(AdminError):
    code = 70


class RoleExistsError(AdminError):
    code = 71


class InvalidPrivilege(AdminError):
    code = 72


class InvalidWhitelist(AdminError):
    code = 73


class QuotasNotEnabled(AdminError):
    code = 74


class InvalidQuota(AdminError):
    code = 75


class NotWhitelisted(AdminError):
    code = 82


class QuotaExceeded(AdminError):
    code = 83


class QueryNetioErr(QueryError):
    code = 214


class QueryDuplicate(QueryError):
    code = 215


class TransactionError(ServerError):
    code = 120


# Multi-record transactions (client-side outcomes, as the official client reports them).
class TransactionFailed(ClientError):
    code = -17


class TransactionAlreadyCommitted(ClientError):
    code = -18


class TransactionAlreadyAborted(ClientError):
    code = -19


_BY_CODE: dict[int, type[AerospikeError]] = {}
for _cls in list(globals().values()):
    if isinstance(_cls, type) and issubclass(_cls, AerospikeError) and _cls.code is not None:
        _BY_CODE.setdefault(_cls.code, _cls)
_BY_CODE[1] = ServerError
_BY_CODE[-1] = ClientError
_BY_CODE[52] = SecurityNotEnabled
for _code in range(120, 128):
    _BY_CODE[_code] = TransactionError
del _cls, _code
