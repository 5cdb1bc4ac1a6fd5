"""Sending a flow's edit operations to the server, with errors sorted into retry-later, signed
out and refused."""

from desktop.client.api_client import (
    ApiClient,
    ApiError,
    ServerUnavailableError,
    SessionExpiredError,
)
from desktop.document.save_queue import (
    SaveRejectedError,
    SaveSignedOutError,
    SaveUnavailableError,
)
from engine.model.operations import DocumentOperation


async def send_operation(client: ApiClient, flow_id: str, operation: DocumentOperation) -> None:
    """POST /flows/{id} `{type, request}`.

    Raises:
        SaveUnavailableError: the server could not be reached or failed (5xx); try again later.
        SaveSignedOutError: the sign-in expired and could not be renewed; send it again once
            the person signs in again.
        SaveRejectedError: the server refused the operation (4xx).
    """
    body = operation.model_dump(mode="json")
    try:
        await client.operate(flow_id, operation.type, body["request"])
    except ServerUnavailableError as err:
        raise SaveUnavailableError(err.message) from err
    except SessionExpiredError as err:
        raise SaveSignedOutError(err.message) from err
    except ApiError as err:
        if err.status >= 500 or err.status in (408, 429):
            raise SaveUnavailableError(err.message) from err
        raise SaveRejectedError(err.message) from err
