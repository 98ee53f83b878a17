"""The small package every ShopLab process shares: the event bus, service plumbing, shops and their clocks."""
