"""Who sent a district message and what it may say (a district system is who its broker
login says it is). RabbitMQ checks the AMQP `user_id` property against the sender's login when
it is set, so a message must set it; the login is a district system of the configuration, the
demand's `source_system`, and may speak only for that system's purchasers. Plain rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.district import Purchaser
from shared.contracts.procurement import FieldError
from shared.districts import DistrictSystem, DistrictSystems
from shared.messaging.delivery import MAX_ID_LENGTH, Delivery, usable_id

JSON = "application/json"


@dataclass(frozen=True)
class Sender:
    """The district system a message proves it comes from (None when it proves none), and what
    is wrong with the message's AMQP properties."""

    system: DistrictSystem | None
    errors: list[FieldError]

    @property
    def name(self) -> str | None:
        return None if self.system is None else self.system.name


def sender(delivery: Delivery, systems: DistrictSystems) -> Sender:
    """The sender of a delivery and every problem with its properties, each naming the property."""
    errors: list[FieldError] = []
    system = systems.get(delivery.user_id) if delivery.user_id else None
    if not delivery.user_id:
        errors.append(
            _e("user_id", "必须设置 AMQP 属性 user_id 为本系统的登录用户名：中心据此确认发送方并把答复只发给发送方")
        )
    elif system is None:
        errors.append(_e("user_id", f"登录用户 {delivery.user_id} 不是已登记的区级业务系统"))
    if not delivery.message_id:
        errors.append(_e("message_id", "必须设置 AMQP 属性 message_id（与 event_id 相同），答复据此注明所答复的消息"))
    elif usable_id(delivery.message_id) is None:
        errors.append(
            _e("message_id", f"message_id 不能超过 {MAX_ID_LENGTH} 个字符，也不能含有 U+0000 等无法保存的字符")
        )
    if delivery.correlation_id is not None and usable_id(delivery.correlation_id) is None:
        errors.append(_e("correlation_id", f"correlation_id 不能超过 {MAX_ID_LENGTH} 个字符，也不能含有无法保存的字符"))
    if (delivery.content_type or "").split(";")[0].strip().lower() != JSON:
        errors.append(_e("content_type", f"必须设置 AMQP 属性 content_type 为 {JSON}"))
    return Sender(system, errors)


def authority_errors(
    system: DistrictSystem, *, source_system: str | None, purchaser: Purchaser | None, street_code: str | None
) -> list[FieldError]:
    """What a demand claims beyond its sender's authority: another system's name, a purchaser
    the system may not publish for (or named otherwise than registered), another street."""
    errors: list[FieldError] = []
    if source_system is not None and source_system != system.name:
        errors.append(_e("source_system", f"发送方登录为 {system.name}，不能以 {source_system!r} 的名义发布需求"))
    if purchaser is None:
        return errors
    allowed = system.purchaser(purchaser.code)
    if allowed is None:
        errors.append(_e("purchaser", f"系统 {system.name} 未登记可代表购买主体 {purchaser.code!r} 发布需求"))
        return errors
    if purchaser.name != allowed.name:
        errors.append(_e("purchaser.name", f"购买主体 {allowed.code} 的登记名称为 {allowed.name}"))
    if purchaser.kind != allowed.kind:
        errors.append(_e("purchaser.kind", f"购买主体 {allowed.code} 登记为 {allowed.kind}"))
    if allowed.street_code is not None and street_code != allowed.street_code:
        errors.append(_e("street_code", f"{allowed.name}的需求须为本街道（{allowed.street_code}）"))
    return errors


def _e(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message)
